package chat

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/realtime"
)

// messagePage is a page of messages, oldest first.
type messagePage struct {
	Data          []*Message       `json:"data"`
	Pagination    httpx.Pagination `json:"pagination"`
	HasMoreBefore bool             `json:"has_more_before"`
	HasMoreAfter  bool             `json:"has_more_after"`
	Seq           int64            `json:"seq"`
}

// ListMessages answers a page of a room: the newest, or ?before=, ?after=
// or ?around= a message id (limit 1 to 200, default 50). Deleted messages
// are tombstones in their place.
func (s *Service) ListMessages(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	ctx, q := r.Context(), r.URL.Query()
	limit := 50
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return httpx.Invalid(httpx.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
		}
		limit = n
	}
	anchors := 0
	for _, k := range []string{"before", "after", "around"} {
		if q.Has(k) {
			anchors++
		}
	}
	if anchors > 1 {
		return httpx.Invalid(httpx.FieldError{Field: "before", Message: "give one of before, after and around"})
	}
	seq, err := realtime.Head(ctx, s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	a, err := s.access(ctx, s.DB.R, v, r.PathValue("roomID"))
	if err != nil {
		return err
	}
	roomID := a.room.ID
	anchor := func(key string) (*Message, error) {
		id := q.Get(key)
		if !validID(id) {
			return nil, httpx.Invalid(httpx.FieldError{Field: key, Message: "must be a message id of this room"})
		}
		m, err := getMessage(ctx, s.DB.R, v.accountID, roomID, id)
		if errors.Is(err, db.ErrNotFound) {
			return nil, httpx.Invalid(httpx.FieldError{Field: key, Message: "must be a message id of this room"})
		}
		return m, err
	}
	page := &messagePage{Seq: seq}
	switch {
	case q.Has("before"):
		m, err := anchor("before")
		if err != nil {
			return err
		}
		list, err := listMessages(ctx, s.DB.R, v.accountID, roomID, before, m.Seq, limit)
		if err != nil {
			return err
		}
		if len(list) > limit {
			list, page.HasMoreBefore = list[1:], true
		}
		page.Data, page.HasMoreAfter = list, true
	case q.Has("after"):
		m, err := anchor("after")
		if err != nil {
			return err
		}
		list, err := listMessages(ctx, s.DB.R, v.accountID, roomID, after, m.Seq, limit)
		if err != nil {
			return err
		}
		if len(list) > limit {
			list, page.HasMoreAfter = list[:limit], true
		}
		page.Data, page.HasMoreBefore = list, true
	case q.Has("around"):
		m, err := anchor("around")
		if err != nil {
			return err
		}
		half := (limit - 1) / 2
		older, err := listMessages(ctx, s.DB.R, v.accountID, roomID, before, m.Seq, half)
		if err != nil {
			return err
		}
		newer, err := listMessages(ctx, s.DB.R, v.accountID, roomID, after, m.Seq, limit-1-half)
		if err != nil {
			return err
		}
		if len(older) > half {
			older, page.HasMoreBefore = older[1:], true
		}
		if len(newer) > limit-1-half {
			newer, page.HasMoreAfter = newer[:limit-1-half], true
		}
		page.Data = append(append(older, m), newer...)
	default:
		list, err := listMessages(ctx, s.DB.R, v.accountID, roomID, newest, 0, limit)
		if err != nil {
			return err
		}
		if len(list) > limit {
			list, page.HasMoreBefore = list[1:], true
		}
		page.Data = list
	}
	if page.Data == nil {
		page.Data = []*Message{}
	}
	if err := loadDetails(ctx, s.DB.R, v.accountID, page.Data, base(v.accountID)); err != nil {
		return err
	}
	page.Pagination.HasMore = page.HasMoreBefore
	if page.HasMoreBefore && len(page.Data) > 0 {
		page.Pagination.NextCursor = page.Data[0].ID // ask ?before= it
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

// GetMessage answers one message.
func (s *Service) GetMessage(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	m, _, err := s.readable(r.Context(), s.DB.R, v, r.PathValue("roomID"), r.PathValue("messageID"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, m)
	return nil
}

// readable loads a message of a room the viewer may read, with details.
func (s *Service) readable(ctx context.Context, q db.Querier, v *viewer, roomID, id string) (*Message, *roomAccess, error) {
	a, err := s.access(ctx, q, v, roomID)
	if err != nil {
		return nil, nil, err
	}
	if !validID(id) {
		return nil, nil, httpx.NotFound()
	}
	m, err := getMessage(ctx, q, v.accountID, roomID, id)
	if err != nil {
		return nil, nil, err
	}
	return m, a, loadDetails(ctx, q, v.accountID, []*Message{m}, base(v.accountID))
}

// errEchoTaken is a concurrent send with the same echo id winning.
var errEchoTaken = errors.New("chat: echo id taken")

// SendMessage posts a message. A retry with an echo_id the author used
// already answers the first message (200), never a second one.
func (s *Service) SendMessage(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	var in messageInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, roomID := r.Context(), r.PathValue("roomID")
	chk := &checker{}
	content := chk.content(in.Content, len(in.AttachmentIDs) > 0 || in.ConversationID != nil)
	if in.EchoID != nil && !validEcho(*in.EchoID) {
		chk.add("echo_id", "must be 1 to 64 printable characters without spaces")
	}
	if in.ReplyToID != nil && !validID(*in.ReplyToID) {
		chk.add("reply_to_id", "must be a message id of this room")
	}
	mentionIDs := chk.ids("mention_ids", in.MentionIDs, maxMentionIDs)
	attIDs := chk.ids("attachment_ids", in.AttachmentIDs, maxAttachments)
	if in.ConversationID != nil && *in.ConversationID <= 0 {
		chk.add("conversation_id", "must be a Chatwoot conversation id")
	}
	if err := chk.err(); err != nil {
		return err
	}
	if in.EchoID != nil {
		if m, err := s.echoed(ctx, v, roomID, *in.EchoID); m != nil || err != nil {
			return answerEcho(w, m, err)
		}
	}
	if in.ConversationID != nil {
		// Only someone who sees the conversation may point the team at it.
		if _, err := s.card(ctx, v, *in.ConversationID); err != nil {
			if httpx.AsError(err).Code == httpx.CodeNotFound {
				return httpx.Invalid(httpx.FieldError{Field: "conversation_id", Message: "is not a conversation you can see"})
			}
			return err
		}
	}
	// Reads happen before the write transaction, so the single writer of
	// SQLite (and the room's row on PostgreSQL) is held only for the
	// writes; the transaction re-checks membership and the archive as it
	// takes the message's number.
	a, err := s.access(ctx, s.DB.R, v, roomID)
	if err != nil {
		return err
	}
	if err := a.writable(); err != nil {
		return err
	}
	var reply *ReplyPreview
	if in.ReplyToID != nil {
		rt, err := getMessage(ctx, s.DB.R, v.accountID, roomID, *in.ReplyToID)
		if errors.Is(err, db.ErrNotFound) {
			return httpx.Invalid(httpx.FieldError{Field: "reply_to_id", Message: "must be a message id of this room"})
		} else if err != nil {
			return err
		}
		reply = &ReplyPreview{ID: rt.ID, AuthorID: rt.AuthorID, Excerpt: excerpt(rt.Content, 140), Deleted: rt.DeletedAt != nil}
	}
	names := map[string]string{}
	if strings.Contains(content, "@") {
		if names, err = s.activeNames(ctx, s.DB.R, v.accountID, a.room.MemberIDs); err != nil {
			return err
		}
	}
	mentions, all := resolveMentions(content, mentionIDs, people(a.room.MemberIDs, names), a.owner(v))
	search := searchText(content)
	var out *Message
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, b *batch) error {
		now := s.now()
		seq, err := claimSeq(ctx, tx, v.accountID, roomID, v.userID, now)
		if errors.Is(err, db.ErrNotFound) {
			return httpx.E(httpx.CodeConflict, "you left the room or it was archived meanwhile")
		} else if err != nil {
			return err
		}
		m := &Message{ID: db.NewID(), RoomID: roomID, Seq: seq, Kind: KindText, AuthorID: v.userID, Content: content, EchoID: in.EchoID,
			ReplyToID: in.ReplyToID, ReplyTo: reply, Mentions: mentions, MentionsRoom: all, conversationID: in.ConversationID,
			Reactions: []Reaction{}, Attachments: []*Attachment{}, CreatedAt: now, UpdatedAt: now}
		if m.conversationID != nil {
			m.Conversation = &ConvRef{Referenced: true, CardURL: base(v.accountID) + "/chat/rooms/" + roomID + "/messages/" + m.ID + "/conversation"}
		}
		if err := insertMessage(ctx, tx, v.accountID, m, search); err != nil {
			if errors.Is(err, db.ErrConflict) && in.EchoID != nil {
				return errEchoTaken
			}
			return err
		}
		if len(attIDs) > 0 {
			if err := attach(ctx, tx, v, roomID, m.ID, attIDs); err != nil {
				return err
			}
			if m.Attachments, err = messageAttachments(ctx, tx, v.accountID, m.ID); err != nil {
				return err
			}
		}
		if err := countSend(ctx, tx, v.accountID, m, now); err != nil {
			return err
		}
		b.message("chat.message.created", m, "")
		out = m
		return nil
	})
	if errors.Is(err, errEchoTaken) {
		m, err := s.echoed(ctx, v, roomID, *in.EchoID)
		return answerEcho(w, m, err)
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// echoed finds the author's message with echoID: nil when none, 409 when
// it belongs to another room.
func (s *Service) echoed(ctx context.Context, v *viewer, roomID, echoID string) (*Message, error) {
	m, err := messageByEcho(ctx, s.DB.R, v.accountID, v.userID, echoID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if m.RoomID != roomID {
		return nil, httpx.E(httpx.CodeConflict, "this echo_id was used for a message in another room")
	}
	return m, loadDetails(ctx, s.DB.R, v.accountID, []*Message{m}, base(v.accountID))
}

func answerEcho(w http.ResponseWriter, m *Message, err error) error {
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, m)
	return nil
}

func validEcho(s string) bool {
	if s == "" || len(s) > maxEchoID {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}
