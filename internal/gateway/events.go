package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/provider"
)

// onProvider consumes a stored provider event: statuses are applied at
// once (they only move forward, so their order does not matter); messages
// join their chat's lane.
//
// With the account's gateway feature off nothing is bridged: the event
// (stored, acknowledged) ends ignored with the reason, replayable.
func (s *Service) onProvider(ctx context.Context, ex *intake.Execution) error {
	if on, err := s.bridging(ctx, ex.AccountID); err != nil {
		return err
	} else if !on {
		return intake.Ignore(featureOff)
	}
	num, err := s.Numbers.NumberBySource(ctx, ex.AccountID, ex.SourceID)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("no number of this account is %s", ex.SourceID))
	} else if err != nil {
		return err
	}
	var p *Parsed
	if num.Type == provider.TypeEvolution {
		p, err = ParseEvolution(ex.Payload)
	} else {
		p, err = ParseCloud(ex.Payload, num.Instance.PhoneNumberID)
	}
	if err != nil {
		return river.JobCancel(err)
	}
	for _, st := range p.Statuses {
		if err := s.applyStatus(ctx, ex, num, st); err != nil {
			return err
		}
	}
	if len(p.Messages) == 0 {
		return nil
	}
	now := s.now()
	items := make([]*work, 0, len(p.Messages))
	for i, m := range p.Messages {
		lane, err := s.inboundLane(ctx, num.Instance.AccountID, num.Instance.ID, m.Chat)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(m)
		items = append(items, &work{AccountID: ex.AccountID, InstanceID: num.Instance.ID, Lane: lane,
			Seq: fmt.Sprintf("%012d:%s:%04d", max(m.Timestamp, 0), ex.ID, i), DedupeKey: "in:" + num.Instance.ID + ":" + m.ID, Kind: workInbound,
			Payload: string(raw), NextAt: now.Add(s.Settle), CreatedAt: now, SourceID: ex.SourceID, ExecutionID: ex.ID, OrderKey: ex.OrderKey})
	}
	return s.enqueueNow(ctx, items)
}

// inboundLane is the lane of a chat: a known alias names its chat, so a
// customer writing under their phone and later their LID stays in one.
func (s *Service) inboundLane(ctx context.Context, accountID, instanceID string, p Peer) (string, error) {
	key := p.Key()
	c, err := chatByAlias(ctx, s.DB.R, accountID, instanceID, p.Aliases())
	if err == nil {
		key = c.Key
	} else if !errors.Is(err, db.ErrNotFound) {
		return "", err
	}
	return "in:" + instanceID + ":" + key, nil
}

// cwMessage is the part of an API-inbox message callback the gateway reads.
type cwMessage struct {
	Event             string          `json:"event"`
	ID                int             `json:"id"`
	Content           *string         `json:"content"`
	MessageType       string          `json:"message_type"`
	ContentType       string          `json:"content_type"`
	Private           bool            `json:"private"`
	SourceID          *string         `json:"source_id"`
	ContentAttributes map[string]any  `json:"content_attributes"`
	Attachments       []cwAttachment  `json:"attachments"`
	Conversation      *cwConversation `json:"conversation"`
}

type cwConversation struct {
	ID           int `json:"id"`
	ContactInbox *struct {
		SourceID string `json:"source_id"`
	} `json:"contact_inbox"`
	Meta struct {
		Sender *cwSender `json:"sender"`
	} `json:"meta"`
}

type cwSender struct {
	PhoneNumber *string `json:"phone_number"`
	Identifier  *string `json:"identifier"`
	Name        string  `json:"name"`
}

type cwAttachment struct {
	ID       int            `json:"id"`
	FileType string         `json:"file_type"`
	DataURL  string         `json:"data_url"`
	Ext      *string        `json:"extension"`
	FileSize int64          `json:"file_size"`
	Meta     map[string]any `json:"meta"`
}

// outbound is the payload of an outbound work item.
type outbound struct {
	Message cwMessage `json:"message"`
	Retry   bool      `json:"retry,omitempty"`
	// Template is an agent's template send (the message is then only
	// its conversation).
	Template *templateWork `json:"template,omitempty"`
}

// ParseChatwootMessage reads an inbox callback body.
func ParseChatwootMessage(body []byte) (*cwMessage, error) {
	var m cwMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("not a Chatwoot message event: %w", err)
	}
	if m.ID <= 0 || m.Conversation == nil || m.Conversation.ID <= 0 {
		return nil, errors.New("the message event names no message or conversation")
	}
	return &m, nil
}

// agentMessage reports whether Chatwoot wants the message on WhatsApp:
// an agent's (or bot's) reply, not a note, not something the hub wrote
// (those carry a source_id) — the first two echo guards.
func (m *cwMessage) agentMessage() bool {
	return (m.MessageType == "outgoing" || m.MessageType == "template") && !m.Private &&
		(m.SourceID == nil || *m.SourceID == "")
}

func (m *cwMessage) deleted() bool { d, _ := m.ContentAttributes["deleted"].(bool); return d }

// onChatwoot consumes an API-inbox callback: agent replies join their
// conversation's lane; a delete or a Retry too. With the account's
// gateway feature off a reply (or Retry) is refused at once, marked
// failed in Chatwoot with a note, and the event ends ignored with the
// reason.
func (s *Service) onChatwoot(ctx context.Context, ex *intake.Execution) error {
	m, err := ParseChatwootMessage(ex.Payload)
	if err != nil {
		return river.JobCancel(err)
	}
	if !m.agentMessage() {
		return nil
	}
	num, err := s.Numbers.NumberByInbox(ctx, ex.AccountID, ex.SourceID)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(errors.New("no number uses this inbox"))
	} else if err != nil {
		return err
	}
	// Chatwoot delivers callbacks from concurrent workers, so they may
	// arrive out of order: the lane orders replies by message id (creation
	// order) and waits the settle time for a late one.
	w := &work{AccountID: ex.AccountID, InstanceID: num.Instance.ID, Seq: fmt.Sprintf("%012d:%s", m.ID, ex.ID),
		Lane: "out:" + num.Instance.ID + ":" + strconv.Itoa(m.Conversation.ID), NextAt: s.now().Add(s.Settle), CreatedAt: s.now(),
		SourceID: ex.SourceID, ExecutionID: ex.ID, OrderKey: ex.OrderKey}
	parts, err := byChatwootID(ctx, s.DB.R, ex.AccountID, m.ID)
	if err != nil {
		return err
	}
	on, err := s.bridging(ctx, ex.AccountID)
	if err != nil {
		return err
	}
	switch {
	case ex.Event == "message_updated" && m.deleted():
		if len(parts) == 0 {
			return nil
		}
		if !on {
			if err := s.deletedHereOnly(ctx, ex.AccountID, m.Conversation.ID, "the WhatsApp gateway is disabled for this account"); err != nil {
				return err
			}
			return intake.Ignore(featureOff + ": the delete stays in Chatwoot only")
		}
		w.Kind, w.DedupeKey = workDelete, "del:"+strconv.Itoa(m.ID)
	case ex.Event == "message_updated":
		// Our own status updates come back as message_updated too; only a
		// failed message whose error Chatwoot cleared (Retry) is resent,
		// or a reply whose callback never reached the hub.
		if m.ContentAttributes["external_error"] != nil || (len(parts) > 0 && !anyFailed(parts)) {
			return nil
		}
		w.Kind, w.DedupeKey = workOutbound, "retry:"+strconv.Itoa(m.ID)+":"+ex.ID
		if len(parts) == 0 {
			w.DedupeKey = "send:" + strconv.Itoa(m.ID)
		}
	default:
		w.Kind, w.DedupeKey = workOutbound, "send:"+strconv.Itoa(m.ID)
	}
	if !on {
		// refused now, visibly: failed in Chatwoot with a note, not queued
		if err := s.refuseOff(ctx, ex.AccountID, m); err != nil {
			return err
		}
		return intake.Ignore(featureOff + ": the reply was not sent and is marked failed in Chatwoot")
	}
	raw, _ := json.Marshal(outbound{Message: *m, Retry: w.DedupeKey != "send:"+strconv.Itoa(m.ID)})
	w.Payload = string(raw)
	return s.enqueueNow(ctx, []*work{w})
}

func anyFailed(parts []*mapped) bool {
	for _, p := range parts {
		if p.Status == "failed" {
			return true
		}
	}
	return false
}
