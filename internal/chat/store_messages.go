package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
)

const messageCols = `m.id, m.room_id, m.seq, m.kind, m.author_id, m.content, m.echo_id, m.reply_to_id, m.mentions, m.mentions_room,
	m.conversation_id, m.system, m.pinned_at, m.pinned_by, m.edited_at, m.deleted_at, m.created_at, m.updated_at`

func scanMessage(r interface{ Scan(...any) error }) (*Message, error) {
	m := &Message{}
	var mentions, system string
	err := r.Scan(&m.ID, &m.RoomID, &m.Seq, &m.Kind, &m.AuthorID, &m.Content, &m.EchoID, &m.ReplyToID, &mentions, &m.MentionsRoom,
		&m.conversationID, &system, &m.PinnedAt, &m.PinnedBy, &m.EditedAt, &m.DeletedAt, &m.CreatedAt, &m.UpdatedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	_ = json.Unmarshal([]byte(mentions), &m.Mentions)
	if m.Mentions == nil {
		m.Mentions = []string{}
	}
	if system != "" && system != "{}" {
		_ = json.Unmarshal([]byte(system), &m.System)
	}
	m.Reactions, m.Attachments = []Reaction{}, []*Attachment{}
	return m, nil
}

func getMessage(ctx context.Context, q db.Querier, accountID, roomID, id string) (*Message, error) {
	return scanMessage(q.QueryRowContext(ctx, `SELECT `+messageCols+` FROM chat_messages m
		WHERE m.account_id = $1 AND m.room_id = $2 AND m.id = $3`, accountID, roomID, id))
}

func messageByEcho(ctx context.Context, q db.Querier, accountID, authorID, echoID string) (*Message, error) {
	return scanMessage(q.QueryRowContext(ctx, `SELECT `+messageCols+` FROM chat_messages m
		WHERE m.account_id = $1 AND m.author_id = $2 AND m.echo_id = $3`, accountID, authorID, echoID))
}

// pageDir says which way a page of messages goes from its anchor.
type pageDir int

const (
	newest pageDir = iota // the last messages
	before                // seq < anchor, newest first, answered oldest first
	after                 // seq > anchor
)

// listMessages answers up to limit+1 messages of a room in seq order.
func listMessages(ctx context.Context, q db.Querier, accountID, roomID string, dir pageDir, anchor int64, limit int) ([]*Message, error) {
	var query string
	switch dir {
	case after:
		query = `SELECT ` + messageCols + ` FROM chat_messages m WHERE m.account_id = $1 AND m.room_id = $2 AND m.seq > $3
			ORDER BY m.seq LIMIT $4`
	case before:
		query = `SELECT ` + messageCols + ` FROM chat_messages m WHERE m.account_id = $1 AND m.room_id = $2 AND m.seq < $3
			ORDER BY m.seq DESC LIMIT $4`
	default:
		anchor = 1 << 62 // no anchor: from the end
		query = `SELECT ` + messageCols + ` FROM chat_messages m WHERE m.account_id = $1 AND m.room_id = $2 AND m.seq < $3
			ORDER BY m.seq DESC LIMIT $4`
	}
	rows, err := q.QueryContext(ctx, query, accountID, roomID, anchor, limit+1)
	out, err := db.Collect(rows, err, scanMessage)
	if err != nil {
		return nil, err
	}
	if dir != after {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// lastMessages answers the last message of each room.
func lastMessages(ctx context.Context, q db.Querier, accountID string, rooms []*Room) (map[string]*Message, error) {
	out := map[string]*Message{}
	if len(rooms) == 0 {
		return out, nil
	}
	query := `SELECT ` + messageCols + ` FROM chat_messages m JOIN chat_rooms r ON r.id = m.room_id AND r.last_seq = m.seq
		WHERE m.account_id = $1 AND r.account_id = $1 AND r.id IN (`
	args := []any{accountID}
	for i, r := range rooms {
		if i > 0 {
			query += `, `
		}
		args = append(args, r.ID)
		query += `$` + strconv.Itoa(len(args))
	}
	rows, err := q.QueryContext(ctx, query+`)`, args...)
	list, err := db.Collect(rows, err, scanMessage)
	for _, m := range list {
		out[m.RoomID] = m
	}
	return out, err
}

func insertMessage(ctx context.Context, tx *sql.Tx, accountID string, m *Message, searchText string) error {
	system := "{}"
	if m.System != nil {
		system = jsonText(m.System)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO chat_messages (id, account_id, room_id, seq, kind, author_id, content, search_text, echo_id,
		reply_to_id, mentions, mentions_room, conversation_id, system, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
		m.ID, accountID, m.RoomID, m.Seq, m.Kind, m.AuthorID, m.Content, searchText, m.EchoID, m.ReplyToID, jsonText(m.Mentions),
		m.MentionsRoom, m.conversationID, system, m.CreatedAt)
	return db.Translate(err)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// countSend moves every other member's counts for a new text message and
// unhides the room for them; the author has read up to it.
func countSend(ctx context.Context, tx *sql.Tx, accountID string, m *Message, now time.Time) error {
	mentioned := `FALSE`
	args := []any{accountID, m.RoomID, m.AuthorID, now}
	if m.MentionsRoom {
		mentioned = `TRUE`
	} else if len(m.Mentions) > 0 {
		mentioned = `user_id IN (` + placeholders(&args, m.Mentions) + `)`
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chat_members SET unread_count = unread_count + 1,
		mention_count = mention_count + CASE WHEN `+mentioned+` THEN 1 ELSE 0 END, hidden = FALSE, updated_at = $4
		WHERE account_id = $1 AND room_id = $2 AND user_id <> $3`, args...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE chat_members SET last_read_seq = $4, unread_count = 0, mention_count = 0, hidden = FALSE, updated_at = $5
		WHERE account_id = $1 AND room_id = $2 AND user_id = $3`, accountID, m.RoomID, m.AuthorID, m.Seq, now)
	return err
}

func placeholders(args *[]any, vals []string) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		*args = append(*args, v)
		b.WriteString("$" + strconv.Itoa(len(*args)))
	}
	return b.String()
}

// recount sets a member's counts from the messages after their read
// position: only on read, unread, edit and delete, never on list.
func recount(ctx context.Context, tx *sql.Tx, accountID, roomID, userID string, lastRead int64, now time.Time) (unread, mentions int, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT mentions, mentions_room FROM chat_messages
		WHERE account_id = $1 AND room_id = $2 AND seq > $3 AND kind = 'text' AND author_id <> $4 AND deleted_at IS NULL`,
		accountID, roomID, lastRead, userID)
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (bool, error) {
		var ms string
		var all bool
		if err := r.Scan(&ms, &all); err != nil {
			return false, err
		}
		var ids []string
		_ = json.Unmarshal([]byte(ms), &ids)
		return all || contains(ids, userID), nil
	})
	if err != nil {
		return 0, 0, err
	}
	for _, mentioned := range list {
		unread++
		if mentioned {
			mentions++
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE chat_members SET last_read_seq = $4, unread_count = $5, mention_count = $6, updated_at = $7
		WHERE account_id = $1 AND room_id = $2 AND user_id = $3`, accountID, roomID, userID, lastRead, unread, mentions, now)
	return unread, mentions, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// unreadMembers are the members (not the author) for whom seq is unread.
func unreadMembers(ctx context.Context, tx *sql.Tx, accountID, roomID, authorID string, seq int64) ([]*member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+memberCols+` FROM chat_members WHERE account_id = $1 AND room_id = $2
		AND user_id <> $3 AND last_read_seq < $4`, accountID, roomID, authorID, seq)
	return db.Collect(rows, err, scanMember)
}

// loadDetails fills reactions, attachments and reply previews.
func loadDetails(ctx context.Context, q db.Querier, accountID string, msgs []*Message, base string) error {
	if len(msgs) == 0 {
		return nil
	}
	byID := map[string]*Message{}
	args := []any{accountID}
	var ids []string
	for _, m := range msgs {
		byID[m.ID] = m
		ids = append(ids, m.ID)
		if m.conversationID != nil && m.DeletedAt == nil {
			m.Conversation = &ConvRef{Referenced: true, CardURL: base + "/chat/rooms/" + m.RoomID + "/messages/" + m.ID + "/conversation"}
		}
	}
	in := placeholders(&args, ids)
	rows, err := q.QueryContext(ctx, `SELECT message_id, emoji, user_id FROM chat_reactions WHERE account_id = $1 AND message_id IN (`+in+`)
		ORDER BY message_id, created_at, emoji, user_id`, args...)
	type rx struct{ msg, emoji, user string }
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (rx, error) {
		var x rx
		return x, r.Scan(&x.msg, &x.emoji, &x.user)
	})
	if err != nil {
		return err
	}
	for _, x := range list {
		m := byID[x.msg]
		i := -1
		for k := range m.Reactions {
			if m.Reactions[k].Emoji == x.emoji {
				i = k
			}
		}
		if i < 0 {
			m.Reactions = append(m.Reactions, Reaction{Emoji: x.emoji, UserIDs: []string{}})
			i = len(m.Reactions) - 1
		}
		m.Reactions[i].UserIDs = append(m.Reactions[i].UserIDs, x.user)
		m.Reactions[i].Count++
	}
	rows, err = q.QueryContext(ctx, `SELECT `+attachmentCols+` FROM chat_attachments WHERE account_id = $1 AND message_id IN (`+in+`)
		ORDER BY created_at, id`, args...)
	atts, err := db.Collect(rows, err, scanAttachment)
	if err != nil {
		return err
	}
	for _, a := range atts {
		a.URL = base + "/chat/attachments/" + a.ID
		byID[*a.MessageID].Attachments = append(byID[*a.MessageID].Attachments, a)
	}
	return loadReplies(ctx, q, accountID, msgs)
}

func loadReplies(ctx context.Context, q db.Querier, accountID string, msgs []*Message) error {
	args := []any{accountID}
	var ids []string
	for _, m := range msgs {
		if m.ReplyToID != nil {
			ids = append(ids, *m.ReplyToID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, author_id, content, deleted_at IS NOT NULL FROM chat_messages
		WHERE account_id = $1 AND id IN (`+placeholders(&args, ids)+`)`, args...)
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (*ReplyPreview, error) {
		p := &ReplyPreview{}
		return p, r.Scan(&p.ID, &p.AuthorID, &p.Excerpt, &p.Deleted)
	})
	if err != nil {
		return err
	}
	byID := map[string]*ReplyPreview{}
	for _, p := range list {
		p.Excerpt = excerpt(p.Excerpt, 140)
		byID[p.ID] = p
	}
	for _, m := range msgs {
		if m.ReplyToID != nil {
			m.ReplyTo = byID[*m.ReplyToID]
		}
	}
	return nil
}

func messageAttachments(ctx context.Context, q db.Querier, accountID, messageID string) ([]*Attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+attachmentCols+` FROM chat_attachments WHERE account_id = $1 AND message_id = $2
		ORDER BY created_at, id`, accountID, messageID)
	list, err := db.Collect(rows, err, scanAttachment)
	for _, a := range list {
		a.URL = base(accountID) + "/chat/attachments/" + a.ID
	}
	if list == nil {
		list = []*Attachment{}
	}
	return list, err
}
