package kanban

import (
	"database/sql"
	"errors"
	"net/http"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// SendMessage answers POST …/cards/{cardID}/messages {content}: the text
// goes to the card's conversation through Chatwoot's API, which hands it
// to the inbox's channel (the gateway sends it to WhatsApp). The card's
// history records who sent it.
func (s *Service) SendMessage(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Content string `json:"content"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	chk := &checker{}
	content := chk.text("content", in.Content, 1, 4096)
	if err := chk.err(); err != nil {
		return err
	}
	v, c, err := s.noteCard(r)
	if err != nil {
		return err
	}
	if c.ConversationID == nil {
		return httpx.E(httpx.CodeUnprocessable, "the card has no linked conversation to reply in")
	}
	m, err := s.Chatwoot.SendMessage(r.Context(), v.accountID, *c.ConversationID, content)
	if errors.Is(err, db.ErrNotFound) {
		return httpx.E(httpx.CodeUnprocessable, "the linked conversation no longer exists in Chatwoot")
	} else if err != nil {
		return err
	}
	now := s.now()
	err = s.write(r.Context(), v.accountID, func(tx *sql.Tx, bt *batch) error {
		return addHistory(r.Context(), tx, v.accountID, c, actorOf(r), "message_sent",
			map[string]any{"conversation_id": *c.ConversationID, "message_id": m.ID}, now)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"message_id": m.ID, "conversation_id": *c.ConversationID, "content": content})
	return nil
}
