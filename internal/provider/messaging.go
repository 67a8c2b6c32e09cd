package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/outbound"
)

// Messaging: what the gateway needs from a number (send, fetch media,
// mark read, delete), each provider's calls and errors behind one type.

// OutMessage is one WhatsApp message to send.
type OutMessage struct {
	To           string // a phone's digits, or a JID (groups, @lid chats)
	Kind         string // text, image, audio, video, document, sticker, reaction, template (Cloud API)
	Text         string // the text, a caption, or a reaction's emoji
	Data         []byte // media bytes
	MIME         string
	FileName     string
	Voice        bool   // audio as a voice note (PTT)
	QuotedID     string // the message replied to
	TargetID     string // reactions: the message reacted to
	TargetFromMe bool
	Template     *TemplateMessage // Kind template
}

// Sent is the provider's answer to a send.
type Sent struct {
	ID string // the provider message id
	To string // the recipient as the provider resolved it (wa_id or JID)
}

// Send error codes.
const (
	ErrCodeNotOnWhatsApp = "not_on_whatsapp"
	ErrCodeDisconnected  = "disconnected"
	ErrCodeWindowClosed  = "window_closed"
	ErrCodeRateLimited   = "rate_limited"
	ErrCodeRefused       = "credentials_refused"
	ErrCodeUpstream      = "upstream"
	ErrCodeRejected      = "rejected"
	ErrCodeUnsupported   = "unsupported"
	ErrCodeTemplate      = "template" // Meta refused the template or its parameters
)

// SendError is a failed provider call. Final errors fail the same way
// again; Hold errors (a disconnected number, refused credentials) wait
// for the number to be fixed; the rest are retried with backoff.
type SendError struct {
	Code  string
	Final bool
	Hold  bool
	Msg   string
}

func (e *SendError) Error() string { return e.Code + ": " + e.Msg }

// MediaRef names a received file at the provider.
type MediaRef struct {
	ID        string // Cloud API media id
	MessageID string // Evolution: the message carrying it
}

type messenger interface {
	send(ctx context.Context, t Target, inst *Instance, m OutMessage) (Sent, error)
	media(ctx context.Context, t Target, inst *Instance, ref MediaRef) ([]byte, string, error)
	markRead(ctx context.Context, t Target, inst *Instance, chat, messageID string) error
	deleteMessage(ctx context.Context, t Target, inst *Instance, chat, messageID string, fromMe bool) error
	typing(ctx context.Context, t Target, inst *Instance, chat, lastInboundID string, d time.Duration) (bool, error)
}

// Number is one number, bound to its provider, ready to message.
type Number struct {
	Instance *Instance
	Type     string
	// ChatwootInboxID is the Chatwoot inbox the number feeds (0: none).
	ChatwootInboxID int
	HubInboxID      string
	m               messenger
	t               Target
}

// Connected reports whether the number can send now.
func (n *Number) Connected() bool { return n.Instance.Status == StatusConnected }

// Send sends one message.
func (n *Number) Send(ctx context.Context, m OutMessage) (Sent, error) {
	return n.m.send(ctx, n.t, n.Instance, m)
}

// Media downloads a received file: its bytes and MIME type.
func (n *Number) Media(ctx context.Context, ref MediaRef) ([]byte, string, error) {
	return n.m.media(ctx, n.t, n.Instance, ref)
}

// MarkRead tells the customer the business read their message.
func (n *Number) MarkRead(ctx context.Context, chat, messageID string) error {
	return n.m.markRead(ctx, n.t, n.Instance, chat, messageID)
}

// Typing shows the customer that the business is typing, for about d.
// lastInboundID is the chat's latest customer message (the Cloud API
// ties its typing indicator to one; "" skips it there). It reports
// whether the provider itself waited d (Evolution's sendPresence holds
// the call for its delay); if not, the caller waits.
func (n *Number) Typing(ctx context.Context, chat, lastInboundID string, d time.Duration) (bool, error) {
	return n.m.typing(ctx, n.t, n.Instance, chat, lastInboundID, d)
}

// Delete deletes a sent message for everyone where the provider can.
func (n *Number) Delete(ctx context.Context, chat, messageID string, fromMe bool) error {
	return n.m.deleteMessage(ctx, n.t, n.Instance, chat, messageID, fromMe)
}

func (s *Service) number(ctx context.Context, inst *Instance) (*Number, error) {
	p, err := getProvider(ctx, s.DB.Reads(), inst.AccountID, inst.ProviderID)
	if err != nil {
		return nil, err
	}
	t, err := s.target(p)
	if err != nil {
		return nil, err
	}
	n := &Number{Instance: inst, Type: p.Type, t: t}
	switch p.Type {
	case TypeEvolution:
		n.m = &evolution{http: s.HTTP}
	case TypeCloudAPI:
		n.m = &cloudAPI{http: s.HTTP}
	default:
		return nil, fmt.Errorf("provider type %q cannot send", p.Type)
	}
	if inst.InboxID != nil {
		ib, err := inbox.Get(ctx, s.DB.Reads(), inst.AccountID, *inst.InboxID)
		if err == nil && ib.ChatwootInboxID != nil {
			n.ChatwootInboxID, n.HubInboxID = *ib.ChatwootInboxID, ib.ID
		}
	}
	return n, nil
}

// NumberBySource resolves a provider event's SourceID
// ("<provider id>:<instance key>") to its number.
func (s *Service) NumberBySource(ctx context.Context, accountID, sourceID string) (*Number, error) {
	providerID, key, _ := strings.Cut(sourceID, ":")
	inst, err := instanceByKey(ctx, s.DB.Reads(), providerID, key)
	if err != nil {
		return nil, err
	}
	if inst.AccountID != accountID {
		return nil, db.ErrNotFound
	}
	return s.number(ctx, inst)
}

// NumberByInbox is the number whose Chatwoot inbox is the hub inbox id.
func (s *Service) NumberByInbox(ctx context.Context, accountID, inboxID string) (*Number, error) {
	inst, err := scanInstance(s.DB.R.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM provider_instances
		WHERE account_id = $1 AND inbox_id = $2`, accountID, inboxID))
	if err != nil {
		return nil, err
	}
	return s.number(ctx, inst)
}

// NumberByChatwootInbox is the number feeding a Chatwoot inbox (by its
// Chatwoot id, as a conversation names it).
func (s *Service) NumberByChatwootInbox(ctx context.Context, accountID string, chatwootInboxID int) (*Number, error) {
	inst, err := scanInstance(s.DB.R.QueryRowContext(ctx, `SELECT `+instanceColsOf("i")+` FROM provider_instances i
		JOIN inboxes b ON b.account_id = i.account_id AND b.id = i.inbox_id
		WHERE i.account_id = $1 AND b.chatwoot_inbox_id = $2 AND b.removed_at IS NULL`, accountID, chatwootInboxID))
	if err != nil {
		return nil, err
	}
	return s.number(ctx, inst)
}

// NumberByID is one number of the account.
func (s *Service) NumberByID(ctx context.Context, accountID, instanceID string) (*Number, error) {
	inst, err := getInstance(ctx, s.DB.R, accountID, instanceID)
	if err != nil {
		return nil, err
	}
	return s.number(ctx, inst)
}

// transportError classifies a failure that is not the provider's answer.
func transportError(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) {
		return &SendError{Code: ErrCodeUpstream, Msg: "the provider did not answer in time: " + safe(err)}
	}
	var se *outbound.StatusError
	if errors.As(err, &se) {
		switch {
		case se.Status == http.StatusTooManyRequests:
			return &SendError{Code: ErrCodeRateLimited, Msg: "the provider is rate limiting: " + safe(err)}
		case se.Status >= 500:
			return &SendError{Code: ErrCodeUpstream, Msg: "the provider failed: " + safe(err)}
		case se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden:
			return &SendError{Code: ErrCodeRefused, Hold: true, Msg: "the provider refused the credentials"}
		}
		return &SendError{Code: ErrCodeRejected, Final: true, Msg: "the provider refused the message: " + safe(err)}
	}
	if errors.Is(err, outbound.ErrBadResponse) {
		return &SendError{Code: ErrCodeUpstream, Msg: safe(err)}
	}
	return &SendError{Code: ErrCodeUpstream, Msg: safe(err)}
}

// instanceColsOf is instanceCols qualified by a table alias, for joins.
func instanceColsOf(alias string) string {
	cols := strings.Split(instanceCols, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
