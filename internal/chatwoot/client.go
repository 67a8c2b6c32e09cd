// Package chatwoot owns the link between a hub account and a Chatwoot
// account: the Chatwoot API client, the link itself (token and webhook
// secret encrypted at rest), the install of the hub's webhook and
// Dashboard App, single sign-on from a Chatwoot session and the instance
// tokens handed to embedded pages.
package chatwoot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/outbound"
)

// ErrUnauthorized means Chatwoot refused the credentials.
var ErrUnauthorized = errors.New("chatwoot refused the credentials")

// Client calls Chatwoot through the hub's guarded outbound client.
type Client struct {
	HTTP *outbound.Client
}

// Session are the devise headers of a browser session (cw_d_session_info).
type Session struct {
	AccessToken string
	Client      string
	UID         string
}

// Profile is the part of GET /api/v1/profile the hub reads. The profile
// also carries the user's personal access_token, deliberately not mapped.
type Profile struct {
	ID        int              `json:"id"`
	Name      string           `json:"name"`
	Email     string           `json:"email"`
	Confirmed bool             `json:"confirmed"`
	Accounts  []ProfileAccount `json:"accounts"`
}

// ProfileAccount is one of the user's Chatwoot accounts.
type ProfileAccount struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// Inbox is the part of a Chatwoot inbox the hub reads.
type Inbox struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	ChannelType string `json:"channel_type"`
	WebhookURL  string `json:"webhook_url"`
	AvatarURL   string `json:"avatar_url"`
	Secret      string `json:"secret"`
}

func (c *Client) call(ctx context.Context, method, base, path string, hdr http.Header, body, out any) error {
	status, _, err := c.HTTP.JSON(ctx, method, strings.TrimSuffix(base, "/")+path, hdr, body, out)
	var se *outbound.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
		return ErrUnauthorized
	}
	if err != nil {
		return err
	}
	_ = status
	return nil
}

func tokenHeader(token string) http.Header {
	return http.Header{"api_access_token": []string{token}}
}

func (s Session) header() http.Header {
	return http.Header{"access-token": {s.AccessToken}, "client": {s.Client}, "uid": {s.UID}, "token-type": {"Bearer"}}
}

// Version asks GET /api for the installation's version.
func (c *Client) Version(ctx context.Context, base string) (string, error) {
	var v struct {
		Version string `json:"version"`
	}
	if err := c.call(ctx, "GET", base, "/api", nil, nil, &v); err != nil {
		return "", err
	}
	return v.Version, nil
}

// Profile validates a browser session server-side.
func (c *Client) Profile(ctx context.Context, base string, s Session) (*Profile, error) {
	return c.profile(ctx, base, s.header())
}

// TokenProfile is the profile of an access token's user.
func (c *Client) TokenProfile(ctx context.Context, base, token string) (*Profile, error) {
	return c.profile(ctx, base, tokenHeader(token))
}

func (c *Client) profile(ctx context.Context, base string, hdr http.Header) (*Profile, error) {
	var p Profile
	if err := c.call(ctx, "GET", base, "/api/v1/profile", hdr, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func acctPath(accountID int, rest string) string {
	return "/api/v1/accounts/" + strconv.Itoa(accountID) + rest
}

// Inboxes lists the account's inboxes as the credential sees them (agents
// only see the inboxes they belong to).
func (c *Client) Inboxes(ctx context.Context, base string, accountID int, hdr http.Header) ([]Inbox, error) {
	var out struct {
		Payload []Inbox `json:"payload"`
	}
	if err := c.call(ctx, "GET", base, acctPath(accountID, "/inboxes"), hdr, nil, &out); err != nil {
		return nil, err
	}
	return out.Payload, nil
}

// Webhook is an account webhook; Secret is returned to admins.
type Webhook struct {
	ID            int      `json:"id"`
	URL           string   `json:"url"`
	Name          string   `json:"name"`
	Subscriptions []string `json:"subscriptions"`
	Secret        string   `json:"secret"`
}

// HubSubscriptions are the account webhook events the hub consumes.
var HubSubscriptions = []string{"conversation_created", "conversation_status_changed", "conversation_updated",
	"message_created", "message_updated", "contact_created", "contact_updated", "inbox_created", "inbox_updated"}

// Webhooks lists the account's webhooks.
func (c *Client) Webhooks(ctx context.Context, base string, accountID int, token string) ([]Webhook, error) {
	var out struct {
		Payload struct {
			Webhooks []Webhook `json:"webhooks"`
		} `json:"payload"`
	}
	if err := c.call(ctx, "GET", base, acctPath(accountID, "/webhooks"), tokenHeader(token), nil, &out); err != nil {
		return nil, err
	}
	return out.Payload.Webhooks, nil
}

// CreateWebhook creates an account webhook and returns it with the secret
// Chatwoot generated.
func (c *Client) CreateWebhook(ctx context.Context, base string, accountID int, token, hookURL string) (*Webhook, error) {
	var out struct {
		Payload struct {
			Webhook Webhook `json:"webhook"`
		} `json:"payload"`
	}
	body := map[string]any{"webhook": map[string]any{"url": hookURL, "name": "WhatPro Hub", "subscriptions": HubSubscriptions}}
	if err := c.call(ctx, "POST", base, acctPath(accountID, "/webhooks"), tokenHeader(token), body, &out); err != nil {
		return nil, err
	}
	return &out.Payload.Webhook, nil
}

// DeleteWebhook removes an account webhook.
func (c *Client) DeleteWebhook(ctx context.Context, base string, accountID int, token string, id int) error {
	return c.call(ctx, "DELETE", base, acctPath(accountID, "/webhooks/"+strconv.Itoa(id)), tokenHeader(token), nil, nil)
}

// DashboardApp is a Chatwoot Dashboard App (a tab in the conversation view).
type DashboardApp struct {
	ID      int    `json:"id"`
	Title   string `json:"title"`
	Content []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"content"`
}

// DashboardApps lists the account's dashboard apps (a bare array).
func (c *Client) DashboardApps(ctx context.Context, base string, accountID int, token string) ([]DashboardApp, error) {
	var out []DashboardApp
	err := c.call(ctx, "GET", base, acctPath(accountID, "/dashboard_apps"), tokenHeader(token), nil, &out)
	return out, err
}

// CreateDashboardApp adds the hub's conversation tab.
func (c *Client) CreateDashboardApp(ctx context.Context, base string, accountID int, token, title, appURL string) (*DashboardApp, error) {
	var out DashboardApp
	body := map[string]any{"dashboard_app": map[string]any{"title": title, "content": []map[string]string{{"type": "frame", "url": appURL}}}}
	if err := c.call(ctx, "POST", base, acctPath(accountID, "/dashboard_apps"), tokenHeader(token), body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteDashboardApp removes a dashboard app.
func (c *Client) DeleteDashboardApp(ctx context.Context, base string, accountID int, token string, id int) error {
	return c.call(ctx, "DELETE", base, acctPath(accountID, "/dashboard_apps/"+strconv.Itoa(id)), tokenHeader(token), nil, nil)
}

// Origin returns scheme://host[:port] of a base URL: the installation's
// identity and the origin Chatwoot pages are served from.
//
// The origin is canonical (httpx.ParseOrigin): it identifies the
// installation, so two spellings of one URL are one installation.
func Origin(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("not an absolute URL")
	}
	return httpx.ParseOrigin(u.Scheme+"://"+u.Host, false)
}

// CreateAPIInbox creates an API-channel inbox whose callbacks go to
// webhookURL; the answer carries the secret Chatwoot generated.
func (c *Client) CreateAPIInbox(ctx context.Context, base string, accountID int, token, name, webhookURL string) (*Inbox, error) {
	var out Inbox
	body := map[string]any{"name": name, "lock_to_single_conversation": true,
		"channel": map[string]any{"type": "api", "webhook_url": webhookURL}}
	if err := c.call(ctx, "POST", base, acctPath(accountID, "/inboxes"), tokenHeader(token), body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PointInbox sets an API inbox's webhook_url and returns it (with secret).
func (c *Client) PointInbox(ctx context.Context, base string, accountID int, token string, inboxID int, webhookURL string) (*Inbox, error) {
	var out Inbox
	body := map[string]any{"channel": map[string]any{"webhook_url": webhookURL}}
	if err := c.call(ctx, "PATCH", base, acctPath(accountID, "/inboxes/"+strconv.Itoa(inboxID)), tokenHeader(token), body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteInbox removes an inbox (used to undo a creation the hub could not
// record).
func (c *Client) DeleteInbox(ctx context.Context, base string, accountID int, token string, inboxID int) error {
	return c.call(ctx, "DELETE", base, acctPath(accountID, "/inboxes/"+strconv.Itoa(inboxID)), tokenHeader(token), nil, nil)
}

// Conversation is the part of a Chatwoot conversation the hub reads (the
// id in URLs is the per-account display id).
type Conversation struct {
	ID               int            `json:"id"`
	InboxID          int            `json:"inbox_id"`
	Status           string         `json:"status"`
	CustomAttributes map[string]any `json:"custom_attributes"`
	LastActivityAt   int64          `json:"last_activity_at"`
	UpdatedAt        float64        `json:"updated_at"`
	// LastMessage is the last message that is not an activity.
	LastMessage *ConversationMessage `json:"last_non_activity_message"`
	Meta        struct {
		Sender struct {
			ID          int    `json:"id"`
			Name        string `json:"name"`
			PhoneNumber string `json:"phone_number"`
		} `json:"sender"`
	} `json:"meta"`
}

// ConversationMessage is the part of a message inside a conversation the
// hub reads; MessageType is Chatwoot's 0 incoming, 1 outgoing, 2 activity,
// 3 template.
type ConversationMessage struct {
	ID          int    `json:"id"`
	Content     string `json:"content"`
	MessageType int    `json:"message_type"`
	CreatedAt   int64  `json:"created_at"`
	Private     bool   `json:"private"`
}

// Conversation reads one conversation.
func (c *Client) Conversation(ctx context.Context, base string, accountID int, token string, displayID int) (*Conversation, error) {
	var out Conversation
	if err := c.call(ctx, "GET", base, acctPath(accountID, "/conversations/"+strconv.Itoa(displayID)), tokenHeader(token), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
