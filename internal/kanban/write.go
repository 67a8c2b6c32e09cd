package kanban

import (
	"context"
	"database/sql"
	"errors"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/realtime"
)

// batch gathers what one transaction emits: events are appended last,
// just before commit, so the account's head row is locked as briefly as
// possible and never before a card row (no lock-order deadlocks).
type batch struct {
	events []realtime.New
	mirror []string // card ids whose stage is mirrored to Chatwoot
}

func (b *batch) emit(typ, topic, scope string, data any) {
	b.events = append(b.events, realtime.New{Type: typ, Topic: topic, Scope: scope, Data: data})
}

func (b *batch) card(typ string, c *Card, extra map[string]any) {
	data := map[string]any{"card": c}
	for k, v := range extra {
		data[k] = v
	}
	b.emit(typ, boardTopic(c.BoardID), cardScope(c), data)
}

// write runs fn in a transaction, appends its events, enqueues its jobs
// and wakes the realtime hub after commit.
func (s *Service) write(ctx context.Context, accountID string, fn func(tx *sql.Tx, b *batch) error) error {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		b := &batch{}
		if err := fn(tx, b); err != nil {
			return err
		}
		for _, id := range b.mirror {
			if err := s.enqueueMirror(ctx, tx, accountID, id); err != nil {
				return err
			}
		}
		if len(b.events) == 0 {
			return nil
		}
		_, err := s.Events.Append(ctx, tx, accountID, b.events...)
		return err
	})
	if err == nil {
		s.Events.Wake(accountID)
	}
	return err
}

// StaleError is a move or update with an old version: the answer is 409
// with the current card, so the client can show it and try again.
type StaleError struct{ Card *Card }

func (e *StaleError) Error() string {
	return "conflict: the card changed (version " + itoa64(e.Card.Version) + ")"
}

// duplicateOpen turns the unique index on (board, contact) for open cards
// into a clear 409.
func duplicateOpen(err error) error {
	if errors.Is(err, db.ErrConflict) {
		return httpx.E(httpx.CodeConflict, "this contact already has an open deal on this board")
	}
	return err
}
