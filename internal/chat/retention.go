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

const maxRetentionDays = 3650

// Settings are the account's chat settings.
type Settings struct {
	RetentionDays int        `json:"retention_days"` // 0 keeps messages forever
	UpdatedBy     string     `json:"updated_by"`
	UpdatedAt     *time.Time `json:"updated_at"`
}

func getSettings(ctx context.Context, q db.Querier, accountID string) (*Settings, error) {
	st := &Settings{}
	err := q.QueryRowContext(ctx, `SELECT retention_days, updated_by, updated_at FROM chat_settings WHERE account_id = $1`, accountID).
		Scan(&st.RetentionDays, &st.UpdatedBy, &st.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return &Settings{}, nil
	}
	return st, err
}

// GetSettings answers the account's chat settings.
func (s *Service) GetSettings(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	st, err := getSettings(r.Context(), s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

// PutSettings sets the retention (admins): messages older than N days
// are deleted with their attachments by the retention job; 0 keeps them.
func (s *Service) PutSettings(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	if !v.admin {
		return httpx.E(httpx.CodeForbidden, "only admins set the chat's retention")
	}
	var in struct {
		RetentionDays *int `json:"retention_days"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.RetentionDays == nil || *in.RetentionDays < 0 || *in.RetentionDays > maxRetentionDays {
		return httpx.Invalid(httpx.FieldError{Field: "retention_days", Message: "must be 0 (keep forever) to 3650 days"})
	}
	ctx, now := r.Context(), s.now()
	var out *Settings
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getSettings(ctx, tx, v.accountID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_settings (account_id, retention_days, updated_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id) DO UPDATE SET retention_days = excluded.retention_days, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`, v.accountID, *in.RetentionDays, v.userID, now); err != nil {
			return err
		}
		out = &Settings{RetentionDays: *in.RetentionDays, UpdatedBy: v.userID, UpdatedAt: &now}
		return s.audit(ctx, tx, r, v.accountID, "chat.retention.updated", "chat_settings", v.accountID,
			map[string]any{"retention_days": before.RetentionDays}, map[string]any{"retention_days": out.RetentionDays})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// RetentionArgs is the periodic chat clean-up: old messages per the
// accounts' retention, and attachment bytes nothing refers to any more.
type RetentionArgs struct{}

// Kind names the job in River.
func (RetentionArgs) Kind() string { return "chat.retention" }

// RetentionWorker runs the clean-up.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	S *Service
}

// RetentionPeriodic runs the clean-up every interval.
func RetentionPeriodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return RetentionArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true, ID: "chat.retention"})
}

// Work runs Retain as of now.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	return w.S.Retain(ctx, w.S.now())
}

const retainBatch = 500

// Retain deletes, in every account with a retention, the messages older
// than it (batches of 500, each one transaction with its events and
// audit entry), then sweeps attachments without a message.
func (s *Service) Retain(ctx context.Context, now time.Time) error {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT account_id, retention_days FROM chat_settings WHERE retention_days > 0 ORDER BY account_id`)
	type acct struct {
		id   string
		days int
	}
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (acct, error) {
		var a acct
		return a, r.Scan(&a.id, &a.days)
	})
	if err != nil {
		return err
	}
	for _, a := range list {
		cutoff := now.AddDate(0, 0, -a.days)
		for {
			n, err := s.retainBatch(ctx, a.id, cutoff, now)
			if err != nil {
				return err
			}
			if n < retainBatch {
				break
			}
		}
	}
	return s.sweep(ctx, now)
}

// retainBatch deletes up to retainBatch messages older than cutoff.
func (s *Service) retainBatch(ctx context.Context, accountID string, cutoff, now time.Time) (int, error) {
	var n int
	var orphans []string
	err := s.write(ctx, accountID, func(tx *sql.Tx, b *batch) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, room_id, seq FROM chat_messages WHERE account_id = $1 AND created_at < $2
			ORDER BY created_at, id LIMIT `+itoa(retainBatch), accountID, cutoff)
		type old struct {
			id, room string
			seq      int64
		}
		list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (old, error) {
			var o old
			return o, r.Scan(&o.id, &o.room, &o.seq)
		})
		if err != nil || len(list) == 0 {
			return err
		}
		n = len(list)
		rooms := map[string]int64{} // room → highest deleted seq
		ids := make([]string, 0, len(list))
		for _, o := range list {
			ids = append(ids, o.id)
			rooms[o.room] = max(rooms[o.room], o.seq)
		}
		for _, id := range ids {
			keys, err := detach(ctx, tx, accountID, id, now)
			if err != nil {
				return err
			}
			orphans = append(orphans, keys...)
		}
		args := []any{accountID}
		in := placeholders(&args, ids)
		for _, q := range []string{
			`DELETE FROM chat_reactions WHERE account_id = $1 AND message_id IN (` + in + `)`,
			`DELETE FROM chat_message_edits WHERE account_id = $1 AND message_id IN (` + in + `)`,
			`DELETE FROM chat_messages WHERE account_id = $1 AND id IN (` + in + `)`,
		} {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		for room, upTo := range rooms {
			// Whoever had any of them unread is counted again.
			ms, err := unreadMembers(ctx, tx, accountID, room, "", upTo+1)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.UnreadCount == 0 && m.MentionCount == 0 {
					continue
				}
				unread, mentions, err := recount(ctx, tx, accountID, room, m.UserID, m.LastReadSeq, now)
				if err != nil {
					return err
				}
				b.emit("chat.room.read", userScope(room, m.UserID), readData(room, m.UserID, m.LastReadSeq, unread, mentions))
			}
			b.emit("chat.room.pruned", roomScope(room), map[string]any{"room_id": room, "through_seq": upTo, "before": cutoff})
		}
		return s.audit(ctx, tx, nil, accountID, "chat.retention.deleted", "chat_settings", accountID, nil,
			map[string]any{"messages": n, "rooms": len(rooms), "older_than": cutoff})
	})
	if err == nil {
		s.removeBlobs(ctx, accountID, orphans)
	}
	return n, err
}

// sweep removes the bytes and rows of attachments whose message is gone,
// and of uploads never sent within LooseUploadTTL.
func (s *Service) sweep(ctx context.Context, now time.Time) error {
	for {
		rows, err := s.DB.R.QueryContext(ctx, `SELECT account_id, id FROM chat_attachments WHERE message_id IS NULL
			AND (orphaned_at IS NOT NULL OR created_at < $1) ORDER BY created_at LIMIT 500`, now.Add(-s.Cfg.LooseUploadTTL))
		list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) ([2]string, error) {
			var p [2]string
			return p, r.Scan(&p[0], &p[1])
		})
		if err != nil || len(list) == 0 {
			return err
		}
		done := 0
		for _, p := range list {
			// An upload never sent is orphaned first, so a send racing the
			// sweep either attaches it before or finds it gone.
			if _, err := s.DB.W.ExecContext(ctx, `UPDATE chat_attachments SET orphaned_at = COALESCE(orphaned_at, $3)
				WHERE account_id = $1 AND id = $2 AND message_id IS NULL`, p[0], p[1], now); err != nil {
				return err
			}
			done += s.removeBlobs(ctx, p[0], []string{p[1]})
		}
		if len(list) < 500 || done == 0 {
			return nil // what failed is tried again next run
		}
	}
}
