package chatwoot

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/outbound"
)

// Calls other domains make on an account's linked Chatwoot with the
// link's token. A missing link is a 422 that says so; Chatwoot's 404 is
// ErrNotFound (db.ErrNotFound, so handlers answer 404).

// Contact is the part of a Chatwoot contact the hub reads.
type Contact struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	PhoneNumber string `json:"phone_number"`
	Email       string `json:"email"`
}

// Message is the part of a created message the hub reads.
type Message struct {
	ID             int    `json:"id"`
	ConversationID int    `json:"conversation_id"`
	Content        string `json:"content"`
}

func (s *Service) api(ctx context.Context, accountID string) (*Link, string, error) {
	l, token, err := s.linkToken(ctx, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, "", httpx.E(httpx.CodeUnprocessable, "link the account to Chatwoot first")
	}
	return l, token, err
}

func notFound(err error) error {
	var se *outbound.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return db.ErrNotFound
	}
	if errors.Is(err, ErrUnauthorized) {
		return upstream(err)
	}
	if err != nil {
		return upstream(err)
	}
	return nil
}

// Conversation reads one conversation of the account's Chatwoot.
func (s *Service) Conversation(ctx context.Context, accountID string, displayID int) (*Conversation, error) {
	l, token, err := s.api(ctx, accountID)
	if err != nil {
		return nil, err
	}
	c, err := s.Client.Conversation(ctx, l.BaseURL, l.ChatwootAccountID, token, displayID)
	return c, notFound(err)
}

// Conversations lists one page (25, latest activity first) of every
// conversation, whatever its status.
func (s *Service) Conversations(ctx context.Context, accountID string, page int) ([]Conversation, error) {
	l, token, err := s.api(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data struct {
			Payload []Conversation `json:"payload"`
		} `json:"data"`
	}
	err = s.Client.call(ctx, "GET", l.BaseURL, acctPath(l.ChatwootAccountID, "/conversations?status=all&page="+strconv.Itoa(page)),
		tokenHeader(token), nil, &out)
	return out.Data.Payload, notFound(err)
}

// Contact reads one contact.
func (s *Service) Contact(ctx context.Context, accountID string, contactID int) (*Contact, error) {
	l, token, err := s.api(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Payload Contact `json:"payload"`
	}
	err = s.Client.call(ctx, "GET", l.BaseURL, acctPath(l.ChatwootAccountID, "/contacts/"+strconv.Itoa(contactID)), tokenHeader(token), nil, &out)
	if err := notFound(err); err != nil {
		return nil, err
	}
	return &out.Payload, nil
}

// SendMessage posts an outgoing message to a conversation; Chatwoot hands
// it to the inbox's channel (for the hub's API inboxes, the gateway).
func (s *Service) SendMessage(ctx context.Context, accountID string, displayID int, content string) (*Message, error) {
	l, token, err := s.api(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var out Message
	body := map[string]any{"content": content, "message_type": "outgoing", "private": false}
	err = s.Client.call(ctx, "POST", l.BaseURL, acctPath(l.ChatwootAccountID, "/conversations/"+strconv.Itoa(displayID)+"/messages"),
		tokenHeader(token), body, &out)
	if err := notFound(err); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetConversationAttribute sets one custom attribute of a conversation.
// Chatwoot replaces the whole custom_attributes object, so the current
// ones are read and merged first.
func (s *Service) SetConversationAttribute(ctx context.Context, accountID string, displayID int, key, value string) error {
	l, token, err := s.api(ctx, accountID)
	if err != nil {
		return err
	}
	c, err := s.Client.Conversation(ctx, l.BaseURL, l.ChatwootAccountID, token, displayID)
	if err := notFound(err); err != nil {
		return err
	}
	attrs := map[string]any{}
	for k, v := range c.CustomAttributes {
		attrs[k] = v
	}
	if attrs[key] == value {
		return nil
	}
	attrs[key] = value
	err = s.Client.call(ctx, "POST", l.BaseURL, acctPath(l.ChatwootAccountID, "/conversations/"+strconv.Itoa(displayID)+"/custom_attributes"),
		tokenHeader(token), map[string]any{"custom_attributes": attrs}, nil)
	return notFound(err)
}
