package chatwoot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/outbound"
)

// ConversationFields create a conversation in an inbox for a contact.
type ConversationFields struct {
	InboxID          int            `json:"inbox_id"`
	ContactID        int            `json:"contact_id"`
	SourceID         string         `json:"source_id,omitempty"`
	Status           string         `json:"status,omitempty"` // open (default), pending, …
	CustomAttributes map[string]any `json:"custom_attributes,omitempty"`
}

// CreateConversation opens a conversation (an inbox locked to a single
// conversation answers with the contact's existing one).
func (a *Account) CreateConversation(ctx context.Context, f ConversationFields) (*Conversation, error) {
	var out Conversation
	if err := a.do(ctx, "POST", a.path("/conversations"), f, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetConversation reads one conversation by display id.
func (a *Account) GetConversation(ctx context.Context, displayID int) (*Conversation, error) {
	var out Conversation
	if err := a.do(ctx, "GET", a.path("/conversations/"+itoa(displayID)), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ToggleStatus sets a conversation's status (open, resolved, pending,
// snoozed) and returns the status in force.
func (a *Account) ToggleStatus(ctx context.Context, displayID int, status string) (string, error) {
	var out struct {
		Payload struct {
			CurrentStatus string `json:"current_status"`
		} `json:"payload"`
	}
	err := a.do(ctx, "POST", a.path("/conversations/"+itoa(displayID)+"/toggle_status"), map[string]any{"status": status}, &out)
	return out.Payload.CurrentStatus, err
}

// File is an attachment to upload.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// NewMessage is a message to create. With Files it goes as multipart.
type NewMessage struct {
	Content           string         `json:"content,omitempty"`
	MessageType       string         `json:"message_type"` // incoming | outgoing
	Private           bool           `json:"private"`
	SourceID          string         `json:"source_id,omitempty"`
	ContentAttributes map[string]any `json:"content_attributes,omitempty"`
	Files             []File         `json:"-"`
	// IsVoiceMessage marks an audio attachment as a voice note.
	IsVoiceMessage bool `json:"-"`
}

// CreatedMessage is the part of a created message the gateway keeps.
type CreatedMessage struct {
	ID             int    `json:"id"`
	ConversationID int    `json:"conversation_id"`
	Content        string `json:"content"`
	SourceID       string `json:"source_id"`
	Status         string `json:"status"`
}

// CreateMessage posts a message to a conversation: JSON, or multipart
// attachments[] when the message has files.
func (a *Account) CreateMessage(ctx context.Context, displayID int, m NewMessage) (*CreatedMessage, error) {
	path := a.path("/conversations/" + itoa(displayID) + "/messages")
	var out CreatedMessage
	if len(m.Files) == 0 {
		return &out, a.do(ctx, "POST", path, m, &out)
	}
	ctype, body, err := messageForm(m)
	if err != nil {
		return nil, &CallError{Class: Final, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, "POST", a.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, &CallError{Class: Final, Err: err}
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("api_access_token", a.token)
	resp, err := a.c.HTTP.Do(req)
	if err != nil {
		return nil, wrapCallError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, wrapCallError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, wrapCallError(&outbound.StatusError{Status: resp.StatusCode, Body: strings.ToValidUTF8(string(data[:min(len(data), 512)]), "")})
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, wrapCallError(fmt.Errorf("%w: %w", outbound.ErrBadResponse, err))
	}
	return &out, nil
}

// messageForm encodes a message as Chatwoot's clients do: fields, then
// content_attributes as a JSON string, then attachments[].
func messageForm(m NewMessage) (string, []byte, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := [][2]string{{"message_type", m.MessageType}, {"private", strconv.FormatBool(m.Private)}}
	if m.Content != "" {
		fields = append(fields, [2]string{"content", m.Content})
	}
	if m.SourceID != "" {
		fields = append(fields, [2]string{"source_id", m.SourceID})
	}
	if m.IsVoiceMessage {
		fields = append(fields, [2]string{"is_voice_message", "true"})
	}
	if len(m.ContentAttributes) > 0 {
		b, err := json.Marshal(m.ContentAttributes)
		if err != nil {
			return "", nil, err
		}
		fields = append(fields, [2]string{"content_attributes", string(b)})
	}
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			return "", nil, err
		}
	}
	for _, f := range m.Files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="attachments[]"; filename="`+quoteName(f.Name)+`"`)
		h.Set("Content-Type", f.ContentType)
		part, err := w.CreatePart(h)
		if err != nil {
			return "", nil, err
		}
		if _, err := part.Write(f.Data); err != nil {
			return "", nil, err
		}
	}
	if err := w.Close(); err != nil {
		return "", nil, err
	}
	return w.FormDataContentType(), buf.Bytes(), nil
}

func quoteName(s string) string {
	return strings.NewReplacer(`"`, "", "\r", "", "\n", "", `\`, "").Replace(s)
}

// UpdateMessageStatus is the API-inbox status PATCH (Chatwoot 4.2+):
// sent, delivered, read or failed (with externalError).
func (a *Account) UpdateMessageStatus(ctx context.Context, displayID, messageID int, status, externalError string) error {
	body := map[string]any{"status": status}
	if externalError != "" {
		body["external_error"] = externalError
	}
	return a.do(ctx, "PATCH", a.path("/conversations/"+itoa(displayID)+"/messages/"+itoa(messageID)), body, nil)
}

// DeleteMessage deletes a message (Chatwoot keeps it as "This message
// was deleted").
func (a *Account) DeleteMessage(ctx context.Context, displayID, messageID int) error {
	return a.do(ctx, "DELETE", a.path("/conversations/"+itoa(displayID)+"/messages/"+itoa(messageID)), nil, nil)
}

// UpdateLastSeen is the public client API's update_last_seen for an API
// inbox: the contact (by its contact inbox source_id) has read the
// conversation. No user token is involved.
func (a *Account) UpdateLastSeen(ctx context.Context, inboxIdentifier, contactSourceID string, displayID int) error {
	path := "/public/api/v1/inboxes/" + pathEscape(inboxIdentifier) + "/contacts/" + pathEscape(contactSourceID) +
		"/conversations/" + itoa(displayID) + "/update_last_seen"
	_, _, err := a.c.HTTP.JSON(ctx, "POST", a.base+path, nil, nil, nil)
	return wrapCallError(err)
}

// RecentMessages lists a conversation's last 20 messages, oldest first:
// enough to find a message whose creation a crash interrupted (Chatwoot
// has no lookup by source_id).
func (a *Account) RecentMessages(ctx context.Context, displayID int) ([]CreatedMessage, error) {
	var out struct {
		Payload []CreatedMessage `json:"payload"`
	}
	err := a.do(ctx, "GET", a.path("/conversations/"+itoa(displayID)+"/messages"), nil, &out)
	return out.Payload, err
}
