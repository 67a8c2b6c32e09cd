package kanban

import (
	"context"
	"database/sql"
	"errors"
	"math"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Cards are ordered by a fractional position (then id): a move writes one
// row, halving the gap between its neighbours; when a gap gets too small
// to halve, the column is renumbered (rebalanced) in the same transaction.
const (
	positionGap = 1024.0
	minGap      = 1e-6
)

// between returns a position strictly between a and b, or ok=false when
// the gap is too small (the caller rebalances).
func between(a, b float64) (float64, bool) {
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) || !(b-a > minGap) {
		return 0, false
	}
	m := a + (b-a)/2
	return m, m > a && m < b
}

// placement is where a moved card goes in a column: before or after a
// neighbour card, or at the end when both are empty.
type placement struct{ BeforeID, AfterID string }

// position computes a new position for card in stage; rebalanced tells
// that the column was renumbered to make room.
func (s *Service) position(ctx context.Context, tx *sql.Tx, accountID, boardID, stageID, cardID string, pl placement) (pos float64, rebalanced bool, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		pos, ok, err := s.tryPosition(ctx, tx, accountID, boardID, stageID, cardID, pl)
		if err != nil || ok {
			return pos, rebalanced, err
		}
		if err := rebalance(ctx, tx, accountID, boardID, stageID, cardID); err != nil {
			return 0, false, err
		}
		rebalanced = true
	}
	return 0, false, httpx.Internal(errRebalance)
}

var errRebalance = errors.New("kanban: no room for the card after renumbering its column")

func (s *Service) tryPosition(ctx context.Context, rawTx *sql.Tx, accountID, boardID, stageID, cardID string, pl placement) (float64, bool, error) {
	tx := s.DB.InTx(rawTx)
	anchorID, after := pl.BeforeID, false
	if pl.AfterID != "" {
		anchorID, after = pl.AfterID, true
	}
	if anchorID == "" {
		var last sql.NullFloat64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(position) FROM kanban_cards WHERE account_id = $1 AND board_id = $4 AND stage_id = $2 AND id <> $3`,
			accountID, stageID, cardID, boardID).Scan(&last); err != nil {
			return 0, false, err
		}
		if !last.Valid {
			return positionGap, true, nil
		}
		return last.Float64 + positionGap, !math.IsInf(last.Float64+positionGap, 0), nil
	}
	field := "before_id"
	if after {
		field = "after_id"
	}
	if anchorID == cardID {
		return 0, false, httpx.Invalid(httpx.FieldError{Field: field, Message: "must name another card"})
	}
	var anchor float64
	err := tx.QueryRowContext(ctx, `SELECT position FROM kanban_cards WHERE account_id = $1 AND board_id = $4 AND stage_id = $2 AND id = $3`,
		accountID, stageID, anchorID, boardID).Scan(&anchor)
	if db.Translate(err) == db.ErrNotFound {
		return 0, false, httpx.Invalid(httpx.FieldError{Field: field, Message: "must name a card of the target stage"})
	} else if err != nil {
		return 0, false, err
	}
	var q string
	if after {
		q = `SELECT position FROM kanban_cards WHERE account_id = $1 AND board_id = $6 AND stage_id = $2 AND id <> $4
			AND (position > $3 OR (position = $3 AND id > $5)) ORDER BY position, id LIMIT 1`
	} else {
		q = `SELECT position FROM kanban_cards WHERE account_id = $1 AND board_id = $6 AND stage_id = $2 AND id <> $4
			AND (position < $3 OR (position = $3 AND id < $5)) ORDER BY position DESC, id DESC LIMIT 1`
	}
	var other sql.NullFloat64
	if err := tx.QueryRowContext(ctx, q, accountID, stageID, anchor, cardID, anchorID, boardID).Scan(&other); err != nil && db.Translate(err) != db.ErrNotFound {
		return 0, false, err
	}
	switch {
	case !other.Valid && after:
		return anchor + positionGap, true, nil
	case !other.Valid:
		return anchor - positionGap, true, nil
	case after:
		p, ok := between(anchor, other.Float64)
		return p, ok, nil
	default:
		p, ok := between(other.Float64, anchor)
		return p, ok, nil
	}
}

// rebalance renumbers a column (the moving card aside) by positionGap,
// keeping its order.
func rebalance(ctx context.Context, tx *sql.Tx, accountID, boardID, stageID, skipID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM kanban_cards WHERE account_id = $1 AND board_id = $4 AND stage_id = $2 AND id <> $3 ORDER BY position, id`,
		accountID, stageID, skipID, boardID)
	ids, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE kanban_cards SET position = $3 WHERE account_id = $1 AND id = $2`,
			accountID, id, float64(i+1)*positionGap); err != nil {
			return err
		}
	}
	return nil
}
