package chat

import (
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/realtime"
)

// MarkRead moves the caller's read position forward: to the message named
// by {"message_id"}, or to the end without a body. It never moves back
// (mark unread does).
func (s *Service) MarkRead(w http.ResponseWriter, r *http.Request) error {
	return s.moveRead(w, r, false)
}

// MarkUnread sets the read position just before {"message_id"}.
func (s *Service) MarkUnread(w http.ResponseWriter, r *http.Request) error {
	return s.moveRead(w, r, true)
}

func (s *Service) moveRead(w http.ResponseWriter, r *http.Request, unread bool) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in struct {
		MessageID *string `json:"message_id"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	if unread && in.MessageID == nil {
		return httpx.Invalid(httpx.FieldError{Field: "message_id", Message: "is required: the first message to show as unread"})
	}
	if in.MessageID != nil && !validID(*in.MessageID) {
		return httpx.Invalid(httpx.FieldError{Field: "message_id", Message: "must be a message id of this room"})
	}
	ctx, roomID := r.Context(), r.PathValue("roomID")
	var out map[string]any
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		a, err := s.access(ctx, tx, v, roomID)
		if err != nil {
			return err
		}
		if a.member == nil {
			return httpx.E(httpx.CodeForbidden, "join the room first")
		}
		target := a.room.LastSeq
		if in.MessageID != nil {
			m, err := getMessage(ctx, tx, v.accountID, roomID, *in.MessageID)
			if errors.Is(err, db.ErrNotFound) {
				return httpx.Invalid(httpx.FieldError{Field: "message_id", Message: "must be a message id of this room"})
			} else if err != nil {
				return err
			}
			target = m.Seq
			if unread {
				target = m.Seq - 1
			}
		}
		if !unread && target <= a.member.LastReadSeq && a.member.UnreadCount == 0 && a.member.MentionCount == 0 {
			out = readData(roomID, v.userID, a.member.LastReadSeq, 0, 0)
			return nil
		}
		if !unread {
			target = max(target, a.member.LastReadSeq)
		}
		n, m, err := recount(ctx, tx, v.accountID, roomID, v.userID, target, s.now())
		if err != nil {
			return err
		}
		out = readData(roomID, v.userID, target, n, m)
		b.emit("chat.room.read", userScope(roomID, v.userID), out)
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// UpdateSettings sets the caller's own state of a room: muted (optionally
// until a time), hidden (a new message unhides it).
func (s *Service) UpdateSettings(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Muted      opt[bool]   `json:"muted"`
		MutedUntil opt[string] `json:"muted_until"`
		Hidden     opt[bool]   `json:"hidden"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	chk := &checker{}
	var until *time.Time
	if in.MutedUntil.Set && !in.MutedUntil.Null {
		t, err := time.Parse(time.RFC3339, in.MutedUntil.Value)
		if err != nil || !t.After(s.now()) || t.After(s.now().AddDate(1, 0, 0)) {
			chk.add("muted_until", "must be an RFC 3339 time in the next year")
		}
		t = t.UTC().Truncate(time.Microsecond)
		until = &t
	}
	if (in.Muted.Set && in.Muted.Null) || (in.Hidden.Set && in.Hidden.Null) {
		chk.add("muted", "muted and hidden are true or false")
	}
	if err := chk.err(); err != nil {
		return err
	}
	ctx, roomID := r.Context(), r.PathValue("roomID")
	var out map[string]any
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		a, err := s.access(ctx, tx, v, roomID)
		if err != nil {
			return err
		}
		m := a.member
		if m == nil {
			return httpx.E(httpx.CodeForbidden, "join the room first")
		}
		if in.Muted.Set {
			m.Muted = in.Muted.Value
			if !m.Muted {
				m.MutedUntil = nil
			}
		}
		if in.MutedUntil.Set {
			m.MutedUntil = until
			if until != nil {
				m.Muted = true
			}
		}
		if in.Hidden.Set {
			m.Hidden = in.Hidden.Value
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chat_members SET muted = $4, muted_until = $5, hidden = $6, updated_at = $7
			WHERE account_id = $1 AND room_id = $2 AND user_id = $3`, v.accountID, roomID, v.userID, m.Muted, m.MutedUntil, m.Hidden, s.now()); err != nil {
			return err
		}
		out = map[string]any{"room_id": roomID, "user_id": v.userID, "muted": m.Muted, "muted_until": m.MutedUntil, "hidden": m.Hidden}
		b.emit("chat.room.settings", userScope(roomID, v.userID), out)
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// roomCount is one room's counts in GET …/chat/unread.
type roomCount struct {
	RoomID       string `json:"room_id"`
	UnreadCount  int    `json:"unread_count"`
	MentionCount int    `json:"mention_count"`
	Muted        bool   `json:"muted"`
}

// Unread answers the badge: the caller's total unread and mention counts
// (muted rooms left out, archived rooms too) and each room's, read from
// the counters the sends keep.
func (s *Service) Unread(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	seq, err := realtime.Head(ctx, s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+memberCols+` FROM chat_members m WHERE m.account_id = $1 AND m.user_id = $2
		AND (m.unread_count > 0 OR m.mention_count > 0)
		AND EXISTS (SELECT 1 FROM chat_rooms r WHERE r.account_id = $1 AND r.id = m.room_id AND r.archived_at IS NULL)
		ORDER BY m.room_id`, v.accountID, v.userID)
	list, err := db.Collect(rows, err, scanMember)
	if err != nil {
		return err
	}
	now := s.now()
	out := struct {
		UnreadCount  int         `json:"unread_count"`
		MentionCount int         `json:"mention_count"`
		Rooms        []roomCount `json:"rooms"`
		Seq          int64       `json:"seq"`
	}{Rooms: []roomCount{}, Seq: seq}
	for _, m := range list {
		muted := m.mutedAt(now)
		out.Rooms = append(out.Rooms, roomCount{RoomID: m.RoomID, UnreadCount: m.UnreadCount, MentionCount: m.MentionCount, Muted: muted})
		if !muted {
			out.UnreadCount += m.UnreadCount
			out.MentionCount += m.MentionCount
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
