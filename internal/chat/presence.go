package chat

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// setPresence records a heartbeat: the status holds until PresenceTTL
// after it. changed says whether others must hear of it (a new status, or
// one that had lapsed).
func (s *Service) setPresence(ctx context.Context, accountID, userID, status string) (bool, time.Time, error) {
	now := s.now()
	until := now.Add(s.Cfg.PresenceTTL)
	if status == "offline" {
		until = now
	}
	var prev string
	var prevUntil time.Time
	err := s.DB.R.QueryRowContext(ctx, `SELECT status, expires_at FROM chat_presence WHERE account_id = $1 AND user_id = $2`, accountID, userID).
		Scan(&prev, &prevUntil)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, until, err
	}
	lapsed := errors.Is(err, sql.ErrNoRows) || prev == "offline" || !prevUntil.After(now)
	_, err = s.DB.W.ExecContext(ctx, `INSERT INTO chat_presence (account_id, user_id, status, expires_at, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id, user_id) DO UPDATE SET status = excluded.status, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
		accountID, userID, status, until, now)
	if err != nil {
		return false, until, db.Translate(err)
	}
	changed := prev != status || (lapsed && status != "offline")
	return changed, until, nil
}

type presence struct {
	UserID    string    `json:"user_id"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ListPresence answers who is online or away now; everyone else is
// offline.
func (s *Service) ListPresence(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT user_id, status, expires_at FROM chat_presence
		WHERE account_id = $1 AND status <> 'offline' AND expires_at > $2 ORDER BY user_id`, v.accountID, s.now())
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (presence, error) {
		var p presence
		return p, r.Scan(&p.UserID, &p.Status, &p.ExpiresAt)
	})
	if err != nil {
		return err
	}
	if list == nil {
		list = []presence{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "pagination": httpx.Pagination{}, "ttl_seconds": int(s.Cfg.PresenceTTL / time.Second)})
	return nil
}

// PresenceArgs is the periodic sweep that tells everyone of presences that
// lapsed (a socket that closed without saying offline).
type PresenceArgs struct{}

// Kind names the job in River.
func (PresenceArgs) Kind() string { return "chat.presence_sweep" }

// PresenceWorker runs the sweep.
type PresenceWorker struct {
	river.WorkerDefaults[PresenceArgs]
	S *Service
}

// PresencePeriodic runs the sweep every interval.
func PresencePeriodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return PresenceArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "chat.presence_sweep"})
}

// Work marks lapsed presences offline and sends chat.presence for each.
func (w *PresenceWorker) Work(ctx context.Context, _ *river.Job[PresenceArgs]) error {
	return w.S.SweepPresence(ctx)
}

// SweepPresence marks lapsed presences offline and announces them.
func (s *Service) SweepPresence(ctx context.Context) error {
	now := s.now()
	rows, err := s.DB.W.QueryContext(ctx, `UPDATE chat_presence SET status = 'offline', updated_at = $1
		WHERE status <> 'offline' AND expires_at <= $1 RETURNING account_id, user_id`, now)
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return err
	}
	for _, p := range list {
		if s.Hub == nil {
			continue
		}
		if err := s.Hub.Ephemeral(ctx, p[0], Topic, "chat.presence", map[string]any{"user_id": p[1], "status": "offline", "expires_at": now}); err != nil {
			return err
		}
	}
	return nil
}
