// Package usage owns usage metering: cheap in-memory counters on the hot
// path, flushed in batches into usage_daily, and the usage API.
package usage

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/idempotency"
)

// Metrics.
const (
	APIRequests   = "api_requests"
	MessagesIn    = "messages_in"
	MessagesOut   = "messages_out"
	Conversations = "conversations"
	ActiveUsers   = "active_users"
	WebhookEvents = "webhook_events"
)

// Names lists every metric.
var Names = []string{APIRequests, MessagesIn, MessagesOut, Conversations, ActiveUsers, WebhookEvents}

type key struct{ account, day, metric string }

// Meter counts in memory and flushes every interval and on Close. Distinct
// active users are claimed in the database so instances never count one
// user twice on a day.
type Meter struct {
	DB    *db.DB
	Log   *slog.Logger
	Now   func() time.Time
	mu    sync.Mutex
	count map[key]int64
	users map[key]map[string]bool // day+account → users seen, pending claim
	stop  chan struct{}
	done  chan struct{}
}

// NewMeter builds a meter; call Run to flush periodically.
func NewMeter(d *db.DB, log *slog.Logger) *Meter {
	return &Meter{DB: d, Log: log, Now: time.Now, count: map[key]int64{}, users: map[key]map[string]bool{}}
}

func (m *Meter) day() string { return m.Now().UTC().Format("2006-01-02") }

// Add counts n of metric for the account today.
func (m *Meter) Add(accountID, metric string, n int64) {
	if m == nil || accountID == "" || n == 0 {
		return
	}
	m.mu.Lock()
	m.count[key{accountID, m.day(), metric}] += n
	m.mu.Unlock()
}

// SeeUser notes that a user was active in the account today.
func (m *Meter) SeeUser(accountID, userID string) {
	if m == nil || accountID == "" || userID == "" {
		return
	}
	k := key{accountID, m.day(), ActiveUsers}
	m.mu.Lock()
	if m.users[k] == nil {
		m.users[k] = map[string]bool{}
	}
	m.users[k][userID] = true
	m.mu.Unlock()
}

// Flush writes the pending counts in one transaction; on failure they are
// put back so nothing is lost.
func (m *Meter) Flush(ctx context.Context) error {
	m.mu.Lock()
	counts, users := m.count, m.users
	m.count, m.users = map[key]int64{}, map[key]map[string]bool{}
	m.mu.Unlock()
	if len(counts) == 0 && len(users) == 0 {
		return nil
	}
	err := m.DB.Tx(ctx, func(tx *sql.Tx) error {
		for k, set := range users {
			for u := range set {
				fresh, err := idempotency.Claim(ctx, tx, "active_user:"+k.account+":"+k.day, u, 48*time.Hour)
				if err != nil {
					return err
				}
				if fresh {
					counts[k]++
				}
			}
		}
		for k, n := range counts {
			if n == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO usage_daily (account_id, day, metric, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (account_id, day, metric) DO UPDATE SET value = usage_daily.value + excluded.value`,
				k.account, k.day, k.metric, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		m.mu.Lock()
		for k, n := range counts {
			if k.metric != ActiveUsers {
				m.count[k] += n
			}
		}
		for k, set := range users {
			if m.users[k] == nil {
				m.users[k] = map[string]bool{}
			}
			for u := range set {
				m.users[k][u] = true
			}
		}
		m.mu.Unlock()
	}
	return err
}

// Run flushes every interval until Close.
func (m *Meter) Run(every time.Duration) {
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(m.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				if err := m.Flush(context.Background()); err != nil {
					m.Log.Warn("usage flush failed; will retry", "error", err.Error())
				}
			}
		}
	}()
}

// Close stops the loop and flushes what is left (clean shutdown).
func (m *Meter) Close(ctx context.Context) error {
	if m.stop != nil {
		close(m.stop)
		<-m.done
		m.stop = nil
	}
	return m.Flush(ctx)
}
