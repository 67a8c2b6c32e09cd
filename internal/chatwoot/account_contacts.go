package chatwoot

import (
	"context"
	"net/url"
)

// ContactFields are the top-level fields of a contact create or update
// (Chatwoot's permitted_params ignore a {contact:{…}} wrapper). Empty
// fields are not sent.
type ContactFields struct {
	Name             string         `json:"name,omitempty"`
	PhoneNumber      string         `json:"phone_number,omitempty"` // E.164, "+…"
	Email            string         `json:"email,omitempty"`
	Identifier       string         `json:"identifier,omitempty"`
	InboxID          int            `json:"inbox_id,omitempty"`  // create only: also opens a contact inbox
	SourceID         string         `json:"source_id,omitempty"` // create only: that contact inbox's source_id
	CustomAttributes map[string]any `json:"custom_attributes,omitempty"`
}

// FullContact is a contact with the fields the gateway matches on.
type FullContact struct {
	ID               int            `json:"id"`
	Name             string         `json:"name"`
	PhoneNumber      *string        `json:"phone_number"`
	Email            *string        `json:"email"`
	Identifier       *string        `json:"identifier"`
	CustomAttributes map[string]any `json:"custom_attributes"`
	ContactInboxes   []ContactInbox `json:"contact_inboxes"`
}

// Phone is the contact's phone number or "".
func (c *FullContact) Phone() string { return deref(c.PhoneNumber) }

// ID is the contact's identifier or "".
func (c *FullContact) IdentifierValue() string { return deref(c.Identifier) }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ContactInbox ties a contact to an inbox under a source_id (the contact
// identifier of the inbox's public API).
type ContactInbox struct {
	SourceID string `json:"source_id"`
	Inbox    struct {
		ID int `json:"id"`
	} `json:"inbox"`
}

// SearchContacts is GET contacts/search?q= (name, email, phone number,
// identifier; partial matches), the first page.
func (a *Account) SearchContacts(ctx context.Context, q string) ([]FullContact, error) {
	var out struct {
		Payload []FullContact `json:"payload"`
	}
	err := a.do(ctx, "GET", a.path("/contacts/search?q="+url.QueryEscape(q)), nil, &out)
	return out.Payload, err
}

// FilterContacts is POST contacts/filter with one condition:
// attribute equal_to any of values (an OR inside Chatwoot's filter).
func (a *Account) FilterContacts(ctx context.Context, attribute string, values ...string) ([]FullContact, error) {
	vals := make([]any, len(values))
	for i, v := range values {
		vals[i] = v
	}
	body := map[string]any{"payload": []map[string]any{{"attribute_key": attribute, "filter_operator": "equal_to",
		"values": vals, "query_operator": nil}}}
	var out struct {
		Payload []FullContact `json:"payload"`
	}
	err := a.do(ctx, "POST", a.path("/contacts/filter"), body, &out)
	return out.Payload, err
}

// GetContact reads one contact.
func (a *Account) GetContact(ctx context.Context, id int) (*FullContact, error) {
	var out struct {
		Payload FullContact `json:"payload"`
	}
	if err := a.do(ctx, "GET", a.path("/contacts/"+itoa(id)), nil, &out); err != nil {
		return nil, err
	}
	return &out.Payload, nil
}

// CreateContact creates a contact (and, with InboxID, its contact inbox);
// it returns the contact and the contact inbox's source_id.
func (a *Account) CreateContact(ctx context.Context, f ContactFields) (*FullContact, string, error) {
	var out struct {
		Payload struct {
			Contact      FullContact `json:"contact"`
			ContactInbox struct {
				SourceID *string `json:"source_id"`
			} `json:"contact_inbox"`
		} `json:"payload"`
	}
	if err := a.do(ctx, "POST", a.path("/contacts"), f, &out); err != nil {
		return nil, "", err
	}
	return &out.Payload.Contact, deref(out.Payload.ContactInbox.SourceID), nil
}

// UpdateContact changes a contact's top-level fields.
func (a *Account) UpdateContact(ctx context.Context, id int, f ContactFields) (*FullContact, error) {
	f.InboxID, f.SourceID = 0, ""
	var out struct {
		Payload FullContact `json:"payload"`
	}
	if err := a.do(ctx, "PATCH", a.path("/contacts/"+itoa(id)), f, &out); err != nil {
		return nil, err
	}
	return &out.Payload, nil
}

// CreateContactInbox adds the contact to an inbox under sourceID ("" lets
// Chatwoot generate one); it returns the source_id in force.
func (a *Account) CreateContactInbox(ctx context.Context, contactID, inboxID int, sourceID string) (string, error) {
	body := map[string]any{"inbox_id": inboxID}
	if sourceID != "" {
		body["source_id"] = sourceID
	}
	var out struct {
		SourceID string `json:"source_id"`
	}
	err := a.do(ctx, "POST", a.path("/contacts/"+itoa(contactID)+"/contact_inboxes"), body, &out)
	return out.SourceID, err
}

// FindContactInbox is POST contact_inboxes/filter: the contact owning
// (inbox, source_id). None is an error for which IsNotFound holds.
func (a *Account) FindContactInbox(ctx context.Context, inboxID int, sourceID string) (*FullContact, error) {
	var out FullContact
	if err := a.do(ctx, "POST", a.path("/contact_inboxes/filter"), map[string]any{"inbox_id": inboxID, "source_id": sourceID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetInbox reads one inbox (with its API channel's inbox_identifier).
func (a *Account) GetInbox(ctx context.Context, id int) (*APIInbox, error) {
	var out APIInbox
	if err := a.do(ctx, "GET", a.path("/inboxes/"+itoa(id)), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// APIInbox is an inbox with the fields of its API channel the gateway
// reads: the public identifier and the conversation rules.
type APIInbox struct {
	ID                         int    `json:"id"`
	Name                       string `json:"name"`
	ChannelType                string `json:"channel_type"`
	InboxIdentifier            string `json:"inbox_identifier"`
	LockToSingleConversation   bool   `json:"lock_to_single_conversation"`
	AllowMessagesAfterResolved *bool  `json:"allow_messages_after_resolved"`
}
