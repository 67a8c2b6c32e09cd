package kanban

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// The parts of Chatwoot's webhook payloads the Kanban reads
// (Conversations::EventDataPresenter#webhook_data, Message#webhook_data,
// Contact#webhook_data). Shapes vary across versions, so only ids are
// required; everything else may be missing.

type cwSender struct {
	ID          int     `json:"id"`
	Name        string  `json:"name"`
	PhoneNumber *string `json:"phone_number"`
}

type cwConversation struct {
	ID        int     `json:"id"`
	InboxID   int     `json:"inbox_id"`
	Status    string  `json:"status"`
	UpdatedAt float64 `json:"updated_at"`
	Meta      struct {
		Sender *cwSender `json:"sender"`
	} `json:"meta"`
}

type cwMessage struct {
	ID           int             `json:"id"`
	Content      *string         `json:"content"`
	MessageType  string          `json:"message_type"`
	Private      bool            `json:"private"`
	CreatedAt    json.RawMessage `json:"created_at"`
	Conversation *cwConversation `json:"conversation"`
}

var errPayload = errors.New("the payload does not have the expected shape")

// parseConversation reads a conversation_* payload.
func parseConversation(raw []byte) (*cwConversation, error) {
	var c cwConversation
	if err := json.Unmarshal(raw, &c); err != nil || c.ID <= 0 || c.InboxID <= 0 {
		return nil, errPayload
	}
	if c.Meta.Sender != nil && c.Meta.Sender.ID <= 0 {
		c.Meta.Sender = nil
	}
	return &c, nil
}

// parseMessage reads a message_* payload; its time is created_at (ISO in
// webhooks, unix seconds in API answers).
func parseMessage(raw []byte) (*cwMessage, time.Time, error) {
	var m cwMessage
	if err := json.Unmarshal(raw, &m); err != nil || m.ID <= 0 || m.Conversation == nil || m.Conversation.ID <= 0 {
		return nil, time.Time{}, errPayload
	}
	if m.Conversation.Meta.Sender != nil && m.Conversation.Meta.Sender.ID <= 0 {
		m.Conversation.Meta.Sender = nil
	}
	var at time.Time
	var s string
	var n float64
	switch {
	case json.Unmarshal(m.CreatedAt, &s) == nil:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, time.Time{}, errPayload
		}
		at = t
	case json.Unmarshal(m.CreatedAt, &n) == nil && n > 0 && n < 1e11:
		at = time.Unix(int64(n), 0)
	default:
		return nil, time.Time{}, errPayload
	}
	return &m, at.UTC().Truncate(time.Microsecond), nil
}

// parseContact reads a contact_* payload.
func parseContact(raw []byte) (*cwSender, error) {
	var c cwSender
	if err := json.Unmarshal(raw, &c); err != nil || c.ID <= 0 {
		return nil, errPayload
	}
	return &c, nil
}

// preview is the card's one-line view of a message.
func preview(content *string) string {
	if content == nil {
		return ""
	}
	return clipText(strings.Join(strings.Fields(strings.ReplaceAll(*content, "\x00", "")), " "), 140)
}

func phoneOf(s *cwSender) string {
	if s == nil || s.PhoneNumber == nil {
		return ""
	}
	return clipText(*s.PhoneNumber, 40)
}
