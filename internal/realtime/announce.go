package realtime

import (
	"context"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// PostgreSQL serialises the commits of every transaction that notifies,
// across the whole server: the notification queue's lock is held from
// just before the commit until after its WAL flush. A NOTIFY inside the
// writers' transactions made every account's writes on every instance
// queue behind one another's disk flush. So the hub announces after
// commit, outside the writers' transactions, in a statement of its own
// that does not wait for its flush (synchronous_commit off for that one
// transaction: a notification is a wake-up, never data), one statement for
// every account that committed meanwhile, each with its head as read
// then ("account:seq"). A notification lost in a crash between a commit
// and its announcement delays the other instances until their safety poll
// of the heads (Config.PollEvery).
const announceSQL = `SELECT pg_notify('` + NotifyChannel + `', h.account_id || ':' || h.seq::text)
	FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async, event_heads h
	WHERE h.account_id = ANY($1)`

// notifyQuickly runs a pg_notify statement in a transaction of its own
// that does not wait for its WAL flush (see announceSQL).
const notifyQuickly = `SELECT pg_notify($1, $2) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async`

// announcer gathers the accounts whose events committed here since the
// last announcement.
type announcer struct {
	mu      sync.Mutex
	pending map[string]struct{}
	ready   chan struct{} // capacity 1: an announcement is due
}

func (a *announcer) add(accountID string) {
	a.mu.Lock()
	if a.pending == nil {
		a.pending = map[string]struct{}{}
	}
	a.pending[accountID] = struct{}{}
	a.mu.Unlock()
	select {
	case a.ready <- struct{}{}:
	default:
	}
}

func (a *announcer) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]string, 0, len(a.pending))
	for id := range a.pending {
		ids = append(ids, id)
	}
	clear(a.pending)
	return ids
}

// Committed is told after a commit that appended an account's events:
// this instance's sockets are woken at once and, on PostgreSQL, the other
// instances hear it from Announce.
func (h *Hub) Committed(accountID string) {
	h.Wake(accountID)
	if h.DB.Dialect == db.Postgres {
		h.announce.add(accountID)
	}
}

// Announce runs until ctx ends, notifying the other instances of the
// accounts Committed named (PostgreSQL; on SQLite it returns at once).
func (h *Hub) Announce(ctx context.Context) {
	if h.DB.Dialect != db.Postgres {
		return
	}
	for {
		select {
		case <-ctx.Done():
			// The last ones, briefly: the others' safety poll covers a miss.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			h.announceNow(fctx)
			cancel()
			return
		case <-h.announce.ready:
			h.announceNow(ctx)
		}
	}
}

func (h *Hub) announceNow(ctx context.Context) {
	ids := h.announce.take()
	if len(ids) == 0 {
		return
	}
	if _, err := h.DB.W.ExecContext(ctx, announceSQL, ids); err != nil && ctx.Err() == nil {
		h.Log.Warn("realtime: could not notify the other instances; they catch up at their next poll of the heads",
			"accounts", len(ids), "error", err.Error())
	}
}
