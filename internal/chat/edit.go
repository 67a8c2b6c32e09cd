package chat

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// lockedMessage locks the room and loads one of its messages for a write.
func (s *Service) lockedMessage(ctx context.Context, tx *sql.Tx, v *viewer, roomID, id string) (*Message, *roomAccess, error) {
	a, err := s.lockedAccess(ctx, tx, v, roomID)
	if err != nil {
		return nil, nil, err
	}
	if !validID(id) {
		return nil, nil, httpx.NotFound()
	}
	m, err := getMessage(ctx, tx, v.accountID, roomID, id)
	if err != nil {
		return nil, nil, err
	}
	if err := a.writable(); err != nil {
		return nil, nil, err
	}
	return m, a, nil
}

// EditMessage changes a message's text (its author only), keeping the
// previous text in its history; mentions are resolved again.
func (s *Service) EditMessage(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in struct {
		Content    string   `json:"content"`
		MentionIDs []string `json:"mention_ids"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, roomID, id := r.Context(), r.PathValue("roomID"), r.PathValue("messageID")
	var out *Message
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		m, a, err := s.lockedMessage(ctx, tx, v, roomID, id)
		if err != nil {
			return err
		}
		switch {
		case m.Kind != KindText || m.AuthorID != v.userID:
			return httpx.E(httpx.CodeForbidden, "only the author edits a message")
		case m.DeletedAt != nil:
			return httpx.E(httpx.CodeConflict, "the message was deleted")
		}
		if err := loadDetails(ctx, tx, v.accountID, []*Message{m}, base(v.accountID)); err != nil {
			return err
		}
		chk := &checker{}
		content := chk.content(in.Content, len(m.Attachments) > 0 || m.conversationID != nil)
		ids := chk.ids("mention_ids", in.MentionIDs, maxMentionIDs)
		if err := chk.err(); err != nil {
			return err
		}
		if content == m.Content {
			out = m
			return nil
		}
		names, err := s.activeNames(ctx, tx, v.accountID, a.room.MemberIDs)
		if err != nil {
			return err
		}
		oldMentions, oldAll := m.Mentions, m.MentionsRoom
		if in.MentionIDs == nil {
			// The composer did not say: the people mentioned stay.
			ids = keep(oldMentions, a.room.MemberIDs)
		}
		m.Mentions, m.MentionsRoom = resolveMentions(content, ids, people(a.room.MemberIDs, names), a.owner(v))
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_message_edits (id, account_id, message_id, content, edited_by, edited_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, db.NewID(), v.accountID, m.ID, m.Content, v.userID, now); err != nil {
			return err
		}
		m.Content, m.EditedAt, m.UpdatedAt = content, &now, now
		if _, err := tx.ExecContext(ctx, `UPDATE chat_messages SET content = $3, search_text = $4, mentions = $5, mentions_room = $6,
			edited_at = $7, updated_at = $7 WHERE account_id = $1 AND id = $2`,
			v.accountID, m.ID, content, searchText(content), jsonText(m.Mentions), m.MentionsRoom, now); err != nil {
			return err
		}
		// Someone newly mentioned (or no longer) in a message they have
		// not read gets exact counts.
		if err := s.recountChanged(ctx, tx, b, v.accountID, m, func(userID string) bool {
			return (oldAll || contains(oldMentions, userID)) != (m.MentionsRoom || contains(m.Mentions, userID))
		}); err != nil {
			return err
		}
		b.message("chat.message.updated", m, "edited")
		out = m
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// keep is the mentions that are still members.
func keep(ids, members []string) []string {
	var out []string
	for _, id := range ids {
		if contains(members, id) {
			out = append(out, id)
		}
	}
	return out
}

// recountChanged recounts the members who have m unread and for whom
// changed says the message now counts differently, telling each of them.
func (s *Service) recountChanged(ctx context.Context, tx *sql.Tx, b *batch, accountID string, m *Message, changed func(string) bool) error {
	ms, err := unreadMembers(ctx, tx, accountID, m.RoomID, m.AuthorID, m.Seq)
	if err != nil {
		return err
	}
	for _, mb := range ms {
		if !changed(mb.UserID) {
			continue
		}
		unread, mentions, err := recount(ctx, tx, accountID, m.RoomID, mb.UserID, mb.LastReadSeq, s.now())
		if err != nil {
			return err
		}
		b.emit("chat.room.read", userScope(m.RoomID, mb.UserID), readData(m.RoomID, mb.UserID, mb.LastReadSeq, unread, mentions))
	}
	return nil
}

func readData(roomID, userID string, lastRead int64, unread, mentions int) map[string]any {
	return map[string]any{"room_id": roomID, "user_id": userID, "last_read_seq": lastRead, "unread_count": unread, "mention_count": mentions}
}

// DeleteMessage leaves a tombstone: the text, mentions, reactions, pin,
// history and attachments go (the attachments' bytes are removed), the
// place in the room stays. The author, the room's owners and account
// admins may delete.
func (s *Service) DeleteMessage(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx, roomID, id := r.Context(), r.PathValue("roomID"), r.PathValue("messageID")
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		m, a, err := s.lockedMessage(ctx, tx, v, roomID, id)
		if err != nil {
			return err
		}
		if m.DeletedAt != nil {
			return nil
		}
		if m.Kind != KindText || (m.AuthorID != v.userID && !a.owner(v)) {
			return httpx.E(httpx.CodeForbidden, "only the author, the room's owners and account admins delete a message")
		}
		if err := s.tombstone(ctx, tx, b, v.accountID, m, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, v.accountID, "chat.message.deleted", "chat_message", m.ID,
			map[string]any{"room_id": m.RoomID, "author_id": m.AuthorID, "seq": m.Seq, "length": len(m.Content)}, nil)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// tombstone empties a message inside tx and emits chat.message.deleted.
func (s *Service) tombstone(ctx context.Context, tx *sql.Tx, b *batch, accountID string, m *Message, now time.Time) error {
	for _, q := range []string{
		`DELETE FROM chat_reactions WHERE account_id = $1 AND message_id = $2`,
		`DELETE FROM chat_message_edits WHERE account_id = $1 AND message_id = $2`,
	} {
		if _, err := tx.ExecContext(ctx, q, accountID, m.ID); err != nil {
			return err
		}
	}
	keys, err := detach(ctx, tx, accountID, m.ID, now)
	if err != nil {
		return err
	}
	b.blobs = append(b.blobs, keys...)
	if _, err := tx.ExecContext(ctx, `UPDATE chat_messages SET content = '', search_text = '', mentions = '[]', mentions_room = FALSE,
		conversation_id = NULL, pinned_at = NULL, pinned_by = NULL, deleted_at = $3, updated_at = $3
		WHERE account_id = $1 AND id = $2`, accountID, m.ID, now); err != nil {
		return err
	}
	if err := s.recountChanged(ctx, tx, b, accountID, m, func(string) bool { return true }); err != nil {
		return err
	}
	dead := &Message{ID: m.ID, RoomID: m.RoomID, Seq: m.Seq, Kind: m.Kind, AuthorID: m.AuthorID, EchoID: m.EchoID, ReplyToID: m.ReplyToID,
		Mentions: []string{}, Reactions: []Reaction{}, Attachments: []*Attachment{}, EditedAt: m.EditedAt, DeletedAt: &now,
		CreatedAt: m.CreatedAt, UpdatedAt: now}
	b.message("chat.message.deleted", dead, "")
	return nil
}

// edit is one entry of a message's history.
type edit struct {
	Content  string    `json:"content"`
	EditedBy string    `json:"edited_by"`
	EditedAt time.Time `json:"edited_at"`
}

// History answers the earlier texts of a message, oldest first.
func (s *Service) History(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, _, err := s.readable(ctx, s.DB.R, v, r.PathValue("roomID"), r.PathValue("messageID"))
	if err != nil {
		return err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT content, edited_by, edited_at FROM chat_message_edits
		WHERE account_id = $1 AND message_id = $2 ORDER BY edited_at, id`, v.accountID, m.ID)
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (edit, error) {
		var e edit
		return e, r.Scan(&e.Content, &e.EditedBy, &e.EditedAt)
	})
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	if list == nil {
		list = []edit{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "pagination": httpx.Pagination{}, "message": m})
	return nil
}
