package kanban

import (
	"context"
	"database/sql"
	"errors"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
)

// MirrorArgs mirrors a card's stage to its conversation's custom attribute
// (the board's stage_attribute), so Chatwoot's filters and automations see
// it. It is enqueued in the transaction that moved the card.
type MirrorArgs struct {
	AccountID string `json:"account_id"`
	CardID    string `json:"card_id"`
}

// Kind names the job in River.
func (MirrorArgs) Kind() string { return "kanban.mirror_stage" }

func (s *Service) enqueueMirror(ctx context.Context, tx *sql.Tx, accountID, cardID string) error {
	if s.Jobs == nil {
		return nil
	}
	_, err := s.Jobs.InsertTx(ctx, tx, MirrorArgs{AccountID: accountID, CardID: cardID}, nil)
	return err
}

// MirrorWorker runs MirrorArgs. It reads the card's current stage when it
// runs, so retries and reordered jobs converge on the latest state.
type MirrorWorker struct {
	river.WorkerDefaults[MirrorArgs]
	S *Service
}

// Work sets the attribute.
func (w *MirrorWorker) Work(ctx context.Context, job *river.Job[MirrorArgs]) error {
	c, err := getCard(ctx, w.S.DB.R, job.Args.AccountID, job.Args.CardID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // deleted since
	} else if err != nil {
		return err
	}
	b, err := getBoard(ctx, w.S.DB.R, job.Args.AccountID, c.BoardID)
	if err != nil || b.StageAttribute == "" || c.ConversationID == nil {
		return nil
	}
	st, err := getStage(ctx, w.S.DB.R, job.Args.AccountID, c.BoardID, c.StageID)
	if err != nil {
		return err
	}
	err = w.S.Chatwoot.SetConversationAttribute(ctx, job.Args.AccountID, *c.ConversationID, b.StageAttribute, st.Name)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(errors.New("the conversation no longer exists in Chatwoot"))
	}
	return err
}
