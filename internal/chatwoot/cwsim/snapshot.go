package cwsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// The exported types below are read-only copies of simulator state for
// tests; changing them changes nothing in the Sim.

// Inbox is a copy of an inbox row with its channel secrets.
type Inbox struct {
	ID, AccountID, ChannelID int
	Name                     string
	ChannelType              string // "Channel::Api" or "Channel::WebWidget"
	WebhookURL               string
	Secret                   string // signs webhook_url deliveries
	HMACToken                string // contact identity validation, not webhooks
	Identifier               string
	LockToSingleConversation bool
	MemberIDs                []int
}

// Webhook is a copy of an account webhook.
type Webhook struct {
	ID, AccountID int
	URL, Name     string
	Subscriptions []string
	Secret        string
}

// Contact is a copy of a contact.
type Contact struct {
	ID, AccountID                        int
	Name, Email, PhoneNumber, Identifier string
	CustomAttributes                     map[string]any
}

// Conversation is a copy of a conversation; DisplayID is the id in URLs.
type Conversation struct {
	ID, DisplayID, AccountID, InboxID, ContactID int
	SourceID                                     string // contact_inbox.source_id
	UUID                                         string // public id (survey links)
	Status                                       string
	AssigneeID                                   int
	CustomAttributes                             map[string]any
}

// Message is a copy of a message.
type Message struct {
	ID, AccountID, InboxID, ConversationDisplayID int
	MessageType                                   string // incoming, outgoing, activity, template
	Content, ContentType, Status, SourceID        string
	ExternalError                                 string
	Private                                       bool
	SenderType                                    string // "User", "Contact", "AgentBot" or ""
	SenderID                                      int
	Attachments                                   []Attachment
	Attributes                                    map[string]any // content_attributes (in_reply_to, deleted, …)
	CreatedAt                                     time.Time
}

// Attachment is a file on a message; DataURL is what payloads carry.
// FileType and VoiceNote are set by the simulator (ignored by AddMessage).
type Attachment struct {
	Filename, ContentType string
	Data                  []byte
	DataURL               string
	FileType              string // image, audio, video or file (FileTypeHelper)
	VoiceNote             bool   // meta.is_voice_message
}

// DashboardApp is a copy of a dashboard app.
type DashboardApp struct {
	ID, AccountID int
	Title         string
	URLs          []string
}

// Session is a devise_token_auth token as the sign-in headers carry it.
type Session struct {
	AccessToken, Client, UID string
	Expiry                   time.Time
}

// Header returns the credentials the hub forwards to /api/v1/profile.
func (s Session) Header() http.Header {
	h := http.Header{}
	h.Set("access-token", s.AccessToken)
	h.Set("client", s.Client)
	h.Set("uid", s.UID)
	h.Set("token-type", "Bearer")
	return h
}

// Cookie is the cw_d_session_info cookie the login page would have set:
// every sign-in response header the browser exposes, lower-case.
func (s Session) Cookie() *http.Cookie {
	u := &user{Email: s.UID}
	h := authHeaders(u, &session{Client: s.Client, Token: s.AccessToken, Expiry: s.Expiry})
	h["content-type"] = []string{"application/json; charset=utf-8"}
	h["cache-control"] = []string{"max-age=0, private, must-revalidate"}
	return SessionCookie(h)
}

func snapInbox(ib *inbox) Inbox {
	return Inbox{ID: ib.ID, AccountID: ib.AccountID, ChannelID: ib.ChannelID, Name: ib.Name, ChannelType: ib.ChannelType,
		WebhookURL: ib.WebhookURL, Secret: ib.Secret, HMACToken: ib.HMACToken, Identifier: ib.Identifier,
		LockToSingleConversation: ib.LockToSingleConversation, MemberIDs: slices.Clone(ib.MemberIDs)}
}

func snapContact(ct *contact) Contact {
	custom := map[string]any{}
	for k, v := range ct.CustomAttributes {
		custom[k] = v
	}
	return Contact{ID: ct.ID, AccountID: ct.AccountID, Name: ct.Name, Email: deref(ct.Email),
		PhoneNumber: deref(ct.PhoneNumber), Identifier: deref(ct.Identifier), CustomAttributes: custom}
}

func (s *Sim) snapConversation(cv *conversation) Conversation {
	out := Conversation{ID: cv.ID, DisplayID: cv.DisplayID, AccountID: cv.AccountID, InboxID: cv.InboxID,
		ContactID: cv.ContactID, Status: cv.Status, UUID: cv.UUID, CustomAttributes: map[string]any{}}
	for k, v := range cv.CustomAttributes {
		out.CustomAttributes[k] = v
	}
	if ci := s.contactInboxByID(cv.ContactInboxID); ci != nil {
		out.SourceID = ci.SourceID
	}
	if cv.AssigneeID != nil {
		out.AssigneeID = *cv.AssigneeID
	}
	return out
}

func (s *Sim) snapMessage(m *message) Message {
	out := Message{ID: m.ID, AccountID: m.AccountID, InboxID: m.InboxID, ConversationDisplayID: s.displayID(m),
		MessageType: messageTypeNames[m.MessageType], Content: deref(m.Content), ContentType: m.ContentType,
		Status: m.Status, SourceID: deref(m.SourceID), Private: m.Private, SenderType: m.SenderType, SenderID: m.SenderID,
		Attributes: deepCopy(m.ContentAttributes), CreatedAt: m.CreatedAt}
	if e, isStr := m.ContentAttributes["external_error"].(string); isStr {
		out.ExternalError = e
	}
	for _, a := range m.Attachments {
		voice, _ := a.Meta["is_voice_message"].(bool)
		out.Attachments = append(out.Attachments, Attachment{Filename: a.Filename, ContentType: a.ContentType,
			Data: slices.Clone(a.Data), DataURL: a.DataURL, FileType: a.FileType, VoiceNote: voice})
	}
	return out
}

func snapWebhook(wh *webhook) Webhook {
	return Webhook{ID: wh.ID, AccountID: wh.AccountID, URL: wh.URL, Name: deref(wh.Name),
		Subscriptions: slices.Clone(wh.Subscriptions), Secret: wh.Secret}
}

func snapDashboardApp(a *dashboardApp) DashboardApp {
	out := DashboardApp{ID: a.ID, AccountID: a.AccountID, Title: a.Title}
	for _, item := range a.Content {
		u, _ := item["url"].(string)
		out.URLs = append(out.URLs, u)
	}
	return out
}

// DashboardURL is the dashboard path of an account, e.g. for browser tests.
func DashboardURL(accountID int) string {
	return "/app/accounts/" + strconv.Itoa(accountID) + "/dashboard"
}

// deepCopy copies a decoded JSON object so a snapshot shares nothing.
func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	raw, err := json.Marshal(m)
	out := map[string]any{}
	if err == nil {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}
