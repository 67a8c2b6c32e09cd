package chat

import (
	"context"
	"database/sql"
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// validEmoji accepts an emoji (with its modifiers and joiners) or a
// :shortcode:, 1 to 16 characters, no spaces or controls.
func validEmoji(s string) bool {
	n := utf8.RuneCountInString(s)
	if n == 0 || n > 16 || len(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' || r == '\\' {
			return false
		}
	}
	return true
}

// React adds the caller's reaction (idempotent).
func (s *Service) React(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Emoji string `json:"emoji"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if !validEmoji(in.Emoji) {
		return httpx.Invalid(httpx.FieldError{Field: "emoji", Message: "must be an emoji or a :shortcode: of up to 16 characters"})
	}
	return s.changeMessage(w, r, "reaction", func(ctx context.Context, tx *sql.Tx, v *viewer, m *Message) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT emoji) FROM chat_reactions WHERE account_id = $1 AND message_id = $2 AND emoji <> $3`,
			v.accountID, m.ID, in.Emoji).Scan(&n); err != nil {
			return err
		}
		if n >= maxReactions {
			return httpx.E(httpx.CodeUnprocessable, "a message has at most 20 different reactions")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO chat_reactions (account_id, message_id, user_id, emoji, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (message_id, user_id, emoji) DO NOTHING`, v.accountID, m.ID, v.userID, in.Emoji, s.now())
		return err
	})
}

// Unreact removes the caller's reaction.
func (s *Service) Unreact(w http.ResponseWriter, r *http.Request) error {
	emoji := r.PathValue("emoji")
	if !validEmoji(emoji) {
		return httpx.NotFound()
	}
	return s.changeMessage(w, r, "reaction", func(ctx context.Context, tx *sql.Tx, v *viewer, m *Message) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM chat_reactions WHERE account_id = $1 AND message_id = $2 AND user_id = $3 AND emoji = $4`,
			v.accountID, m.ID, v.userID, emoji)
		return err
	})
}

// Pin pins a message (any member; at most 50 per room).
func (s *Service) Pin(w http.ResponseWriter, r *http.Request) error {
	return s.changeMessage(w, r, "pinned", func(ctx context.Context, tx *sql.Tx, v *viewer, m *Message) error {
		if m.PinnedAt != nil {
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM chat_messages WHERE account_id = $1 AND room_id = $2 AND pinned_at IS NOT NULL`,
			v.accountID, m.RoomID).Scan(&n); err != nil {
			return err
		}
		if n >= maxPins {
			return httpx.E(httpx.CodeUnprocessable, "a room has at most 50 pinned messages; unpin one first")
		}
		now := s.now()
		m.PinnedAt, m.PinnedBy = &now, &v.userID
		_, err := tx.ExecContext(ctx, `UPDATE chat_messages SET pinned_at = $3, pinned_by = $4, updated_at = $3 WHERE account_id = $1 AND id = $2`,
			v.accountID, m.ID, now, v.userID)
		return err
	})
}

// Unpin unpins a message.
func (s *Service) Unpin(w http.ResponseWriter, r *http.Request) error {
	return s.changeMessage(w, r, "unpinned", func(ctx context.Context, tx *sql.Tx, v *viewer, m *Message) error {
		m.PinnedAt, m.PinnedBy = nil, nil
		_, err := tx.ExecContext(ctx, `UPDATE chat_messages SET pinned_at = NULL, pinned_by = NULL, updated_at = $3 WHERE account_id = $1 AND id = $2`,
			v.accountID, m.ID, s.now())
		return err
	})
}

// changeMessage runs fn on a live message of a room the caller is in and
// answers the message, emitting chat.message.updated with the change.
func (s *Service) changeMessage(w http.ResponseWriter, r *http.Request, change string, fn func(context.Context, *sql.Tx, *viewer, *Message) error) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx, roomID, id := r.Context(), r.PathValue("roomID"), r.PathValue("messageID")
	var out *Message
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		m, _, err := s.lockedMessage(ctx, tx, v, roomID, id)
		if err != nil {
			return err
		}
		if m.DeletedAt != nil || m.Kind != KindText {
			return httpx.E(httpx.CodeConflict, "the message was deleted or is a system message")
		}
		if err := fn(ctx, tx, v, m); err != nil {
			return err
		}
		if m, err = getMessage(ctx, tx, v.accountID, roomID, id); err != nil {
			return err
		}
		if err := loadDetails(ctx, tx, v.accountID, []*Message{m}, base(v.accountID)); err != nil {
			return err
		}
		b.message("chat.message.updated", m, change)
		out = m
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ListPins answers a room's pinned messages, latest pin first.
func (s *Service) ListPins(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := s.access(ctx, s.DB.R, v, r.PathValue("roomID"))
	if err != nil {
		return err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+messageCols+` FROM chat_messages m WHERE m.account_id = $1 AND m.room_id = $2
		AND m.pinned_at IS NOT NULL ORDER BY m.pinned_at DESC, m.seq DESC`, v.accountID, a.room.ID)
	list, err := db.Collect(rows, err, scanMessage)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*Message{}
	}
	if err := loadDetails(ctx, s.DB.R, v.accountID, list, base(v.accountID)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "pagination": httpx.Pagination{}})
	return nil
}
