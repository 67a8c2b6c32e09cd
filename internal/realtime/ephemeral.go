package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/whatpro/hub/internal/db"
)

// EphemeralChannel carries ephemeral events between instances.
const EphemeralChannel = "whatpro_ephemeral"

const maxEphemeral = 4000 // NOTIFY payloads stop at 8000 bytes

type ephemeralMsg struct {
	Type      string          `json:"type"`
	Event     string          `json:"event"`
	AccountID string          `json:"account_id"`
	Topic     string          `json:"topic"`
	Scope     string          `json:"scope,omitempty"`
	Data      json.RawMessage `json:"data"`
}

// Ephemeral sends an event that is never stored (typing, presence) to the
// sockets of every instance subscribed to topic. It may be dropped: under
// backpressure, or for a socket that connects a moment later.
func (h *Hub) Ephemeral(ctx context.Context, accountID, topic, event string, data any) error {
	return h.EphemeralScoped(ctx, accountID, topic, "", event, data)
}

// EphemeralScoped is Ephemeral with a scope inside the topic, which each
// socket's filter checks as it does for stored events (the chat scopes
// typing to a room).
func (h *Hub) EphemeralScoped(ctx context.Context, accountID, topic, scope, event string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	msg, _ := json.Marshal(ephemeralMsg{Type: "ephemeral", Event: event, AccountID: accountID, Topic: topic, Scope: scope, Data: raw})
	if len(msg) > maxEphemeral {
		return fmt.Errorf("an ephemeral event is at most %d bytes", maxEphemeral)
	}
	if !validType(event) || !ValidTopic(topic) {
		return errors.New("realtime: invalid ephemeral event")
	}
	if h.DB.Dialect == db.Postgres {
		_, err := h.DB.W.ExecContext(ctx, notifyQuickly, EphemeralChannel, string(msg))
		return err
	}
	h.deliverEphemeral(msg)
	return nil
}

// deliverEphemeral hands an encoded ephemeral event to local sockets.
func (h *Hub) deliverEphemeral(msg []byte) {
	var m ephemeralMsg
	if json.Unmarshal(msg, &m) != nil {
		return
	}
	h.mu.Lock()
	s := h.streams[m.AccountID]
	h.mu.Unlock()
	if s == nil {
		return
	}
	ev := Event{AccountID: m.AccountID, Type: m.Event, Topic: m.Topic, Scope: m.Scope, Data: m.Data}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.mu.Lock()
		sb := c.topics[m.Topic]
		ok := sb != nil && sb.filter(&ev)
		c.mu.Unlock()
		if ok {
			c.pushEphemeral(msg)
		}
	}
}
