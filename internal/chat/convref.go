package chat

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// cardCache keeps conversations read from Chatwoot for a short while: a
// room full of references must not call Chatwoot once per message per
// viewer. Only the conversation is cached; who may see it is decided on
// every request.
type cardCache struct {
	mu sync.Mutex
	m  map[string]cachedConv
}

type cachedConv struct {
	conv *chatwoot.Conversation
	at   time.Time
}

func (c *cardCache) get(key string, ttl time.Duration) *chatwoot.Conversation {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || time.Since(e.at) > ttl {
		return nil
	}
	return e.conv
}

func (c *cardCache) put(key string, conv *chatwoot.Conversation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10_000 {
		c.m = map[string]cachedConv{}
	}
	c.m[key] = cachedConv{conv: conv, at: time.Now()}
}

// Card is what a conversation reference shows.
type Card struct {
	ConversationID int          `json:"conversation_id"`
	InboxID        int          `json:"inbox_id"`
	Status         string       `json:"status"`
	Contact        cardContact  `json:"contact"`
	LastMessage    *cardMessage `json:"last_message"`
}

type cardContact struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	PhoneNumber string `json:"phone_number"`
}

type cardMessage struct {
	Content     string    `json:"content"`
	MessageType string    `json:"message_type"` // incoming, outgoing, template
	CreatedAt   time.Time `json:"created_at"`
}

var messageTypes = map[int]string{0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}

// card reads a conversation for the viewer: admins, or members of its
// inbox (the rule of the conversation tab); anyone else gets a 404, as
// if it did not exist.
func (s *Service) card(ctx context.Context, v *viewer, displayID int) (*Card, error) {
	if s.Chatwoot == nil {
		return nil, httpx.E(httpx.CodeUnprocessable, "link the account to Chatwoot first")
	}
	key := v.accountID + ":" + strconv.Itoa(displayID)
	conv := s.cards.get(key, s.Cfg.CardCacheTTL)
	if conv == nil {
		c, err := s.Chatwoot.Conversation(ctx, v.accountID, displayID)
		if errors.Is(err, db.ErrNotFound) {
			return nil, httpx.NotFound()
		} else if err != nil {
			return nil, err
		}
		conv = c
		s.cards.put(key, conv)
	}
	if !v.admin {
		ok, err := s.Chatwoot.InInbox(ctx, v.accountID, v.userID, conv.InboxID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, httpx.NotFound()
		}
	}
	c := &Card{ConversationID: conv.ID, InboxID: conv.InboxID, Status: conv.Status,
		Contact: cardContact{ID: conv.Meta.Sender.ID, Name: conv.Meta.Sender.Name, PhoneNumber: conv.Meta.Sender.PhoneNumber}}
	if lm := conv.LastMessage; lm != nil && !lm.Private {
		c.LastMessage = &cardMessage{Content: excerpt(lm.Content, 280), MessageType: messageTypes[lm.MessageType],
			CreatedAt: time.Unix(lm.CreatedAt, 0).UTC()}
	}
	return c, nil
}

// ConversationCard answers the card of the conversation a message
// references, to room readers allowed to see that conversation; to anyone
// else it is a 404 and the message only says that a conversation was
// referenced.
func (s *Service) ConversationCard(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	m, _, err := s.readable(r.Context(), s.DB.R, v, r.PathValue("roomID"), r.PathValue("messageID"))
	if err != nil {
		return err
	}
	if m.conversationID == nil || m.DeletedAt != nil {
		return httpx.NotFound()
	}
	c, err := s.card(r.Context(), v, *m.conversationID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}
