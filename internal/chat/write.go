package chat

import (
	"context"
	"database/sql"
	"net/http"
	"strings"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/realtime"
)

// Topic is the realtime topic of the chat: it carries the events of every
// room the viewer belongs to.
const Topic = "chat"

// Event scopes inside the topic, which the topic's filter reads:
//
//	room:R              every member of R
//	room:R:user:U       U only, while a member of R (read markers, mute)
//	room:R:join:U1,U2   every member of R, the joiners included
//	room:R:leave:U1,U2  every member of R, the leavers included, who stop
//	                    receiving R's events after this one
func roomScope(roomID string) string { return "room:" + roomID }

func userScope(roomID, userID string) string { return "room:" + roomID + ":user:" + userID }

func joinScope(roomID string, userIDs []string) string {
	return "room:" + roomID + ":join:" + strings.Join(userIDs, ",")
}

func leaveScope(roomID string, userIDs []string) string {
	return "room:" + roomID + ":leave:" + strings.Join(userIDs, ",")
}

// batch gathers what one transaction emits; events are appended last, just
// before commit, so the account's head row is locked briefly and always
// after the chat's own rows (no lock-order deadlocks).
type batch struct {
	events []realtime.New
	blobs  []string // storage keys to remove after commit
}

func (b *batch) emit(typ, scope string, data any) {
	b.events = append(b.events, realtime.New{Type: typ, Topic: Topic, Scope: scope, Data: data})
}

func (b *batch) message(typ string, m *Message, change string) {
	data := map[string]any{"room_id": m.RoomID, "message": m}
	if change != "" {
		data["change"] = change
	}
	b.emit(typ, roomScope(m.RoomID), data)
}

// write runs fn in a transaction, appends its events and wakes the
// realtime hub after commit.
func (s *Service) write(ctx context.Context, accountID string, fn func(tx *sql.Tx, b *batch) error) error {
	b := &batch{}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx, b); err != nil {
			return err
		}
		if len(b.events) == 0 {
			return nil
		}
		_, err := s.Events.Append(ctx, tx, accountID, b.events...)
		return err
	})
	if err == nil {
		s.Events.Wake(accountID)
		s.removeBlobs(ctx, accountID, b.blobs)
	}
	return err
}

// audit records a membership change or a deletion in the account's chain.
func (s *Service) audit(ctx context.Context, tx *sql.Tx, r *http.Request, accountID, action, resType, resID string, before, after any) error {
	if s.IAM == nil || s.IAM.Audit == nil {
		return nil
	}
	var e audit.Entry
	if r != nil {
		e = s.IAM.Entry(r, accountID, action, resType, resID)
	} else {
		e = audit.Entry{AccountID: accountID, Action: action, ResourceType: resType, ResourceID: resID, ActorType: audit.ActorSystem}
	}
	e.Before, e.After = before, after
	return s.IAM.Audit.Record(ctx, tx, e)
}
