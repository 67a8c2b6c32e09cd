package kanban

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
)

// ReconcileArgs is the periodic repair of drift between Chatwoot and the
// cards: webhooks that never came (Chatwoot sends each once), contacts
// renamed while the hub was down, statuses missed.
type ReconcileArgs struct{}

// Kind names the job in River.
func (ReconcileArgs) Kind() string { return "kanban.reconcile" }

// ReconcilePeriodic runs it every interval.
func ReconcilePeriodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return ReconcileArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "kanban.reconcile"})
}

// ReconcileWorker walks every linked account with the Kanban on.
type ReconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	S *Service
}

// Timeout leaves room for many accounts.
func (w *ReconcileWorker) Timeout(*river.Job[ReconcileArgs]) time.Duration { return 30 * time.Minute }

// Work reconciles each account; one failing account does not stop the
// others, and the job reports the first failure.
func (w *ReconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
	ids, err := chatwoot.LinkedAccounts(ctx, w.S.DB.R)
	if err != nil {
		return err
	}
	var first error
	for _, id := range ids {
		if err := w.S.Reconcile(ctx, id); err != nil {
			w.S.Log.Warn("kanban reconcile failed", "account_id", id, "error", err.Error())
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// reconcilePages bounds one account's walk: 40 pages of 25 conversations,
// latest activity first, stopping at conversations idle for 30 days.
const (
	reconcilePages = 40
	reconcileIdle  = 30 * 24 * time.Hour
)

// Reconcile repairs one account from Chatwoot's current state: missing
// cards are opened, contact snapshots and conversation statuses brought
// up to date, mirrored stages set again.
func (s *Service) Reconcile(ctx context.Context, accountID string) error {
	if !s.enabled(ctx, accountID) {
		return nil
	}
	idle := s.now().Add(-reconcileIdle).Unix()
	for page := 1; page <= reconcilePages; page++ {
		convs, err := s.Chatwoot.Conversations(ctx, accountID, page)
		if err != nil {
			return err
		}
		for _, cv := range convs {
			if cv.LastActivityAt > 0 && cv.LastActivityAt < idle {
				return nil
			}
			conv := &cwConversation{ID: cv.ID, InboxID: cv.InboxID, Status: cv.Status, UpdatedAt: cv.UpdatedAt}
			if cv.Meta.Sender.ID > 0 {
				phone := cv.Meta.Sender.PhoneNumber
				conv.Meta.Sender = &cwSender{ID: cv.Meta.Sender.ID, Name: cv.Meta.Sender.Name, PhoneNumber: &phone}
			}
			if err := s.ensureCards(ctx, accountID, conv); err != nil {
				return err
			}
			if err := s.applyStatus(ctx, accountID, conv); err != nil {
				return err
			}
			if conv.Meta.Sender != nil {
				if err := s.setContact(ctx, accountID, conv.Meta.Sender); err != nil {
					return err
				}
			}
			if err := s.remirror(ctx, accountID, cv.ID, cv.CustomAttributes); err != nil {
				return err
			}
		}
		if len(convs) < 25 {
			return nil
		}
	}
	return nil
}

// remirror enqueues the stage mirror for cards of the conversation whose
// attribute in Chatwoot differs from their stage.
func (s *Service) remirror(ctx context.Context, accountID string, convID int, attrs map[string]any) error {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT c.id, b.stage_attribute, st.name FROM kanban_cards c
		JOIN kanban_boards b ON b.id = c.board_id JOIN kanban_stages st ON st.id = c.stage_id
		WHERE c.account_id = $1 AND c.conversation_id = $2 AND b.stage_attribute <> ''`, accountID, convID)
	type want struct{ card, key, stage string }
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (want, error) {
		var w want
		return w, r.Scan(&w.card, &w.key, &w.stage)
	})
	if err != nil {
		return err
	}
	for _, w := range list {
		if attrs[w.key] == w.stage {
			continue
		}
		if err := s.write(ctx, accountID, func(_ *sql.Tx, bt *batch) error {
			bt.mirror = append(bt.mirror, w.card)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
