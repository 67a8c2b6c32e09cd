package kanban

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/whatpro/hub/internal/httpx"
)

// checkWIP refuses to put n more cards into a stage at its WIP limit.
func (s *Service) checkWIP(ctx context.Context, tx *sql.Tx, accountID string, st *Stage, n int) error {
	if st == nil || st.WIPLimit == nil {
		return nil
	}
	var used int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kanban_cards WHERE account_id = $1 AND board_id = $3 AND stage_id = $2`, accountID, st.ID, st.BoardID).Scan(&used); err != nil {
		return err
	}
	if used+n > *st.WIPLimit {
		limit := *st.WIPLimit
		return httpx.E(httpx.CodeLimitExceeded, "the stage "+st.Name+" is at its WIP limit of "+strconv.Itoa(limit)+" cards",
			httpx.FieldError{Field: "stage_id", Message: "WIP limit reached", Limit: &limit, Used: &used})
	}
	return nil
}

// Move places a card in a stage (before or after a neighbour, or at the
// end). The version must be the card's current one: a stale move is a
// StaleError with the current card.
func (s *Service) Move(ctx context.Context, v *viewer, a actor, boardID, id string, in moveInput) (*Card, error) {
	chk := &checker{}
	if in.StageID == "" {
		chk.add("stage_id", "is required")
	}
	if in.Version == nil {
		chk.add("version", "is required: the version of the card you saw")
	}
	if in.BeforeID != "" && in.AfterID != "" {
		chk.add("before_id", "give before_id or after_id, not both")
	}
	reason := chk.text("reason", in.Reason, 0, 500)
	if err := chk.err(); err != nil {
		return nil, err
	}
	b, err := s.visibleBoard(ctx, v, boardID)
	if err != nil {
		return nil, err
	}
	var out *Card
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, bt *batch) error {
		c, err := s.lockCard(ctx, tx, v.accountID, boardID, id)
		if err != nil {
			return err
		}
		if !v.seesCard(c) {
			return httpx.NotFound()
		}
		st, err := getStage(ctx, s.DB.InTx(tx), v.accountID, boardID, in.StageID)
		if err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "stage_id", Message: "must be a stage of this board"})
		}
		if *in.Version != c.Version {
			return &StaleError{Card: c}
		}
		out, err = s.moveLocked(ctx, tx, bt, v, a, b, c, st, placement{BeforeID: in.BeforeID, AfterID: in.AfterID}, reason)
		return err
	})
	return out, err
}

// moveLocked moves a card locked by the caller and records it.
func (s *Service) moveLocked(ctx context.Context, tx *sql.Tx, bt *batch, v *viewer, a actor, b *Board, c *Card, st *Stage,
	pl placement, reason string) (*Card, error) {
	now := s.now()
	from := c.StageID
	changed := from != st.ID
	if changed {
		if st.Kind == KindLost && reason == "" {
			return nil, httpx.Invalid(httpx.FieldError{Field: "reason", Message: "a lost deal needs a reason"})
		}
		if bad := missingRequired(st, c); len(bad) > 0 {
			return nil, httpx.E(httpx.CodeUnprocessable, "the stage "+st.Name+" requires more fields", bad...)
		}
		if err := s.checkWIP(ctx, tx, v.accountID, st, 1); err != nil {
			return nil, err
		}
	}
	pos, rebalanced, err := s.position(ctx, tx, v.accountID, b.ID, st.ID, c.ID, pl)
	if err != nil {
		return nil, err
	}
	next := *c
	next.StageID, next.Position, next.Version, next.UpdatedAt = st.ID, pos, c.Version+1, now
	action := "reordered"
	if changed {
		next.StageEnteredAt = now
		action = "moved"
		switch {
		case st.Kind != KindOpen:
			next.ClosedAt, next.ClosedReason, action = &now, reason, st.Kind
		case c.Status != KindOpen:
			next.ClosedAt, next.ClosedReason, action = nil, "", "reopened"
		}
		next.Status = st.Kind
	}
	if err := savePlacement(ctx, s.DB.InTx(tx), v.accountID, &next); err != nil {
		return nil, duplicateOpen(err)
	}
	if rebalanced {
		bt.emit("stage.rebalanced", boardTopic(b.ID), "", map[string]any{"board_id": b.ID, "stage_id": st.ID})
	}
	if changed {
		data := map[string]any{"from_stage_id": from, "to_stage_id": st.ID}
		if reason != "" {
			data["reason"] = reason
		}
		if err := addHistory(ctx, s.DB.InTx(tx), v.accountID, &next, a, action, data, now); err != nil {
			return nil, err
		}
		if b.StageAttribute != "" && next.ConversationID != nil {
			bt.mirror = append(bt.mirror, next.ID)
		}
	}
	bt.card("card.moved", &next, map[string]any{"from_stage_id": from})
	return &next, nil
}

// Close marks a card won or lost: it moves to the end of the board's
// first stage of that kind (or stage_id, of that kind).
func (s *Service) Close(ctx context.Context, v *viewer, a actor, boardID, id, kind string, in closeInput) (*Card, error) {
	stages, err := listStages(ctx, s.DB.R, v.accountID, boardID)
	if err != nil {
		return nil, err
	}
	var st *Stage
	for _, x := range stages {
		if x.Kind == kind && (in.StageID == "" || x.ID == in.StageID) {
			st = x
			break
		}
	}
	if st == nil {
		if _, err := s.visibleBoard(ctx, v, boardID); err != nil {
			return nil, err
		}
		return nil, httpx.Invalid(httpx.FieldError{Field: "stage_id", Message: "the board has no " + kind + " stage of that id"})
	}
	return s.Move(ctx, v, a, boardID, id, moveInput{StageID: st.ID, Version: in.Version, Reason: in.Reason})
}

// BulkMove moves up to 200 cards to the end of a stage, in the order
// given, all or none.
func (s *Service) BulkMove(ctx context.Context, v *viewer, a actor, boardID string, in bulkMoveInput) ([]*Card, error) {
	chk := &checker{}
	if len(in.CardIDs) == 0 || len(in.CardIDs) > 200 {
		chk.add("card_ids", "must list 1 to 200 cards")
	}
	if in.StageID == "" {
		chk.add("stage_id", "is required")
	}
	reason := chk.text("reason", in.Reason, 0, 500)
	if err := chk.err(); err != nil {
		return nil, err
	}
	b, err := s.visibleBoard(ctx, v, boardID)
	if err != nil {
		return nil, err
	}
	st, err := getStage(ctx, s.DB.R, v.accountID, boardID, in.StageID)
	if err != nil {
		return nil, httpx.Invalid(httpx.FieldError{Field: "stage_id", Message: "must be a stage of this board"})
	}
	var out []*Card
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, bt *batch) error {
		seen := map[string]bool{}
		for _, id := range in.CardIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			c, err := s.lockCard(ctx, tx, v.accountID, boardID, id)
			if err != nil || !v.seesCard(c) {
				return httpx.Invalid(httpx.FieldError{Field: "card_ids", Message: "must name cards of this board"})
			}
			moved, err := s.moveLocked(ctx, tx, bt, v, a, b, c, st, placement{}, reason)
			if err != nil {
				return err
			}
			out = append(out, moved)
		}
		return nil
	})
	return out, err
}
