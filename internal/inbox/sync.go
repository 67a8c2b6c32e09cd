package inbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/jobs"
)

// Chatwoot is what a sync needs from the Chatwoot link.
type Chatwoot interface {
	// LinkedInboxes lists the Chatwoot inboxes of the account's link with
	// the link's own token; db.ErrNotFound when the account is not linked.
	LinkedInboxes(ctx context.Context, accountID string) ([]chatwoot.Inbox, error)
	MarkNeedsAttention(ctx context.Context, accountID, reason string) error
	MarkOK(ctx context.Context, accountID string) error
}

// Syncer enqueues and runs inbox syncs.
type Syncer struct {
	DB       *db.DB
	Jobs     *jobs.Queue
	Chatwoot Chatwoot
	Log      *slog.Logger
	// CallbackTokens, when set, runs on every sync with Chatwoot's list
	// before it is applied (Managed.GiveCallbackTokens).
	CallbackTokens func(ctx context.Context, accountID string, listed []chatwoot.Inbox) error
}

// SyncArgs is one sync run of an account.
type SyncArgs struct {
	AccountID string `json:"account_id"`
	SyncID    string `json:"sync_id"`
}

// Kind names the job in River.
func (SyncArgs) Kind() string { return "inbox.sync" }

// InsertOpts retries Chatwoot's 429/5xx/timeouts with River's backoff.
func (SyncArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 6} }

// Enqueue starts a sync, or returns the one already queued or running for
// the account, so concurrent requests coalesce into one run.
func (s *Syncer) Enqueue(ctx context.Context, accountID, trigger string) (string, error) {
	var id string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if s.DB.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR UPDATE`, accountID); err != nil {
				return err
			}
		}
		var err error
		if id, err = pendingSync(ctx, tx, accountID); err != nil || id != "" {
			return err
		}
		id = db.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_syncs (id, account_id, status, trigger, created_at) VALUES ($1, $2, 'queued', $3, $4)`,
			id, accountID, trigger, db.Now()); err != nil {
			return err
		}
		_, err = s.Jobs.InsertTx(ctx, tx, SyncArgs{AccountID: accountID, SyncID: id}, nil)
		return err
	})
	return id, err
}

// SyncWorker runs a sync.
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	S *Syncer
}

// Work pages through Chatwoot and updates the mirror. A refused token marks
// the link as needing attention and fails at once; other failures are
// retried with backoff and fail the sync after the last attempt.
func (w *SyncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	s, a := w.S, job.Args
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE inbox_syncs SET status = 'running', started_at = COALESCE(started_at, $1)
		WHERE account_id = $2 AND id = $3 AND status IN ('queued', 'running')`, db.Now(), a.AccountID, a.SyncID); err != nil {
		return err
	}
	list, err := s.Chatwoot.LinkedInboxes(ctx, a.AccountID)
	if err == nil && s.CallbackTokens != nil {
		err = s.CallbackTokens(ctx, a.AccountID, list)
	}
	switch {
	case errors.Is(err, db.ErrNotFound):
		return river.JobCancel(s.finish(a, "failed", "the account is not linked to Chatwoot"))
	case errors.Is(err, chatwoot.ErrUnauthorized):
		reason := "Chatwoot refused the link's access token (401); update it on the connection page"
		_ = s.Chatwoot.MarkNeedsAttention(ctx, a.AccountID, reason)
		return river.JobCancel(s.finish(a, "failed", reason))
	case err != nil:
		msg := fmt.Sprintf("attempt %d of %d: %v", job.Attempt, job.MaxAttempts, err)
		if job.Attempt >= job.MaxAttempts {
			_ = s.finish(a, "failed", msg)
			return err
		}
		_, _ = s.DB.W.ExecContext(ctx, `UPDATE inbox_syncs SET error = $1 WHERE account_id = $2 AND id = $3`, msg, a.AccountID, a.SyncID)
		return err
	}
	// Chatwoot accepted the token: clear a needs-attention flag before the
	// sync reports done, so whoever sees "done" sees the link healthy.
	if err := s.Chatwoot.MarkOK(ctx, a.AccountID); err != nil {
		return err
	}
	return s.apply(ctx, a, list)
}

func (s *Syncer) finish(a SyncArgs, status, msg string) error {
	_, err := s.DB.W.ExecContext(context.Background(), `UPDATE inbox_syncs SET status = $1, error = $2, finished_at = $3
		WHERE account_id = $4 AND id = $5`, status, msg, db.Now(), a.AccountID, a.SyncID)
	if err != nil {
		return err
	}
	return errors.New(msg)
}

type seen struct {
	id, name, channel, webhook, avatar string
	removed                            bool
}

// apply upserts the listed inboxes, marks vanished ones removed (never
// deleting them) and records the counts, in one transaction.
func (s *Syncer) apply(ctx context.Context, a SyncArgs, list []chatwoot.Inbox) error {
	now := db.Now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, chatwoot_inbox_id, name, channel_type, webhook_url, avatar_url, removed_at IS NOT NULL
			FROM inboxes WHERE account_id = $1 AND chatwoot_inbox_id IS NOT NULL`, a.AccountID)
		if err != nil {
			return err
		}
		have := map[int]seen{}
		for rows.Next() {
			var cw int
			var x seen
			if err := rows.Scan(&x.id, &cw, &x.name, &x.channel, &x.webhook, &x.avatar, &x.removed); err != nil {
				rows.Close()
				return err
			}
			have[cw] = x
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var created, updated, removed int
		listed := map[int]bool{}
		for _, in := range list {
			listed[in.ID] = true
			old, ok := have[in.ID]
			if !ok {
				created++
				if _, err := tx.ExecContext(ctx, `INSERT INTO inboxes (id, account_id, chatwoot_inbox_id, name, channel_type, webhook_url, avatar_url,
					first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
					db.NewID(), a.AccountID, in.ID, in.Name, in.ChannelType, in.WebhookURL, in.AvatarURL, now); err != nil {
					return db.Translate(err)
				}
				continue
			}
			if old.name != in.Name || old.channel != in.ChannelType || old.webhook != in.WebhookURL || old.avatar != in.AvatarURL || old.removed {
				updated++
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inboxes SET name = $1, channel_type = $2, webhook_url = $3, avatar_url = $4,
				last_seen_at = $5, removed_at = NULL, state = 'active' WHERE account_id = $6 AND id = $7`,
				in.Name, in.ChannelType, in.WebhookURL, in.AvatarURL, now, a.AccountID, old.id); err != nil {
				return err
			}
		}
		for cw, old := range have {
			if listed[cw] || old.removed {
				continue
			}
			removed++
			if _, err := tx.ExecContext(ctx, `UPDATE inboxes SET removed_at = $1 WHERE account_id = $2 AND id = $3`, now, a.AccountID, old.id); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE inbox_syncs SET status = 'done', total = $1, created = $2, updated = $3, removed = $4,
			error = '', finished_at = $5 WHERE account_id = $6 AND id = $7`, len(list), created, updated, removed, now, a.AccountID, a.SyncID)
		return err
	})
}

// SyncAllArgs is the periodic sync of every linked account.
type SyncAllArgs struct{}

// Kind names the job in River.
func (SyncAllArgs) Kind() string { return "inbox.sync_all" }

// SyncAllWorker enqueues a (coalesced) sync per linked account.
type SyncAllWorker struct {
	river.WorkerDefaults[SyncAllArgs]
	S *Syncer
}

// Work enqueues the syncs.
func (w *SyncAllWorker) Work(ctx context.Context, _ *river.Job[SyncAllArgs]) error {
	ids, err := chatwoot.LinkedAccounts(ctx, w.S.DB.R)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := w.S.Enqueue(ctx, id, "periodic"); err != nil {
			return err
		}
	}
	return nil
}

// Periodic schedules the sync of every linked account.
func Periodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return SyncAllArgs{}, nil },
		&river.PeriodicJobOpts{ID: "inbox.sync_all"})
}
