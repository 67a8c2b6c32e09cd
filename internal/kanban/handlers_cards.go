package kanban

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/realtime"
)

func actorOf(r *http.Request) actor {
	p := iam.PrincipalFrom(r.Context())
	return actor{p.ActorType(), p.ActorID()}
}

// writeCardErr answers a stale version as 409 with the current card.
func writeCardErr(w http.ResponseWriter, r *http.Request, err error) error {
	var stale *StaleError
	if errors.As(err, &stale) {
		httpx.WriteJSON(w, http.StatusConflict, map[string]any{
			"error": map[string]any{"code": httpx.CodeConflict, "request_id": httpx.RequestID(r.Context()),
				"message": "the card changed since you read it; here is the current card"},
			"card": stale.Card,
		})
		return nil
	}
	return err
}

// ListCards answers GET …/boards/{boardID}/cards.
func (s *Service) ListCardsHandler(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if f.Assignee == "me" {
		f.Assignee = v.userID
	}
	cursor := r.URL.Query().Get("cursor")
	q := r.URL.Query()
	q.Del("cursor")
	r.URL.RawQuery = q.Encode()
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	boardID := r.PathValue("boardID")
	if _, err := s.visibleBoard(r.Context(), v, boardID); err != nil {
		return err
	}
	// The same answer for the same sequence, viewer scope and query is
	// served from the cache for a moment.
	seq, err := realtime.Head(r.Context(), s.DB.Reads(), v.accountID)
	if err != nil {
		return err
	}
	key := v.accountID + "|" + boardID + "|" + v.scopeKey() + "|" + q.Encode() + "|" + cursor + "|" + f.Assignee
	now := time.Now()
	if body := s.answers.get(key, seq, now); body != nil {
		writeRaw(w, body)
		return nil
	}
	// Concurrent misses of one key share one computation.
	v2, err, _ := s.answers.flight.Do(key+"|"+strconv.FormatInt(seq, 10), func() (any, error) {
		page, err := s.ListCards(context.WithoutCancel(r.Context()), v, boardID, f, p, cursor)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(page)
		if err != nil {
			return nil, err
		}
		s.answers.put(key, page.Seq, now, body)
		return body, nil
	})
	if err != nil {
		return err
	}
	writeRaw(w, v2.([]byte))
	return nil
}

func writeRaw(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// GetCard answers one card.
func (s *Service) GetCard(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	if _, err := s.visibleBoard(r.Context(), v, r.PathValue("boardID")); err != nil {
		return err
	}
	c, err := s.visibleCard(r.Context(), v, r.PathValue("boardID"), r.PathValue("cardID"))
	if err != nil {
		return err
	}
	stages, err := listStages(r.Context(), s.DB.R, v.accountID, c.BoardID)
	if err != nil {
		return err
	}
	markStale([]*Card{c}, stages, s.now())
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

// CreateCardHandler answers POST …/boards/{boardID}/cards.
func (s *Service) CreateCardHandler(w http.ResponseWriter, r *http.Request) error {
	var in cardInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	c, err := s.CreateCard(r.Context(), v, actorOf(r), r.PathValue("boardID"), &in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
	return nil
}

// UpdateCardHandler answers PATCH …/cards/{cardID}.
func (s *Service) UpdateCardHandler(w http.ResponseWriter, r *http.Request) error {
	var in cardInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	c, err := s.UpdateCard(r.Context(), v, actorOf(r), r.PathValue("boardID"), r.PathValue("cardID"), &in)
	if err != nil {
		return writeCardErr(w, r, err)
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

// DeleteCardHandler answers DELETE …/cards/{cardID}.
func (s *Service) DeleteCardHandler(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	if _, err := s.visibleBoard(r.Context(), v, r.PathValue("boardID")); err != nil {
		return err
	}
	if err := s.DeleteCard(r.Context(), v, actorOf(r), r.PathValue("boardID"), r.PathValue("cardID")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MoveHandler answers POST …/cards/{cardID}/move: 200 with the card, or
// 409 with the current card when the version is stale.
func (s *Service) MoveHandler(w http.ResponseWriter, r *http.Request) error {
	var in moveInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	c, err := s.Move(r.Context(), v, actorOf(r), r.PathValue("boardID"), r.PathValue("cardID"), in)
	if err != nil {
		return writeCardErr(w, r, err)
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

// CloseHandler answers POST …/cards/{cardID}/won and …/lost.
func (s *Service) CloseHandler(kind string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in closeInput
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		if kind == KindLost && in.Reason == "" {
			return httpx.Invalid(httpx.FieldError{Field: "reason", Message: "a lost deal needs a reason"})
		}
		v, err := s.viewerOf(r.Context())
		if err != nil {
			return err
		}
		c, err := s.Close(r.Context(), v, actorOf(r), r.PathValue("boardID"), r.PathValue("cardID"), kind, in)
		if err != nil {
			return writeCardErr(w, r, err)
		}
		httpx.WriteJSON(w, http.StatusOK, c)
		return nil
	}
}

// BulkMoveHandler answers POST …/boards/{boardID}/cards/bulk-move.
func (s *Service) BulkMoveHandler(w http.ResponseWriter, r *http.Request) error {
	var in bulkMoveInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	cards, err := s.BulkMove(r.Context(), v, actorOf(r), r.PathValue("boardID"), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": cards})
	return nil
}

// HistoryHandler answers a card's history, oldest first.
func (s *Service) HistoryHandler(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	if _, err := s.visibleBoard(r.Context(), v, r.PathValue("boardID")); err != nil {
		return err
	}
	c, err := s.visibleCard(r.Context(), v, r.PathValue("boardID"), r.PathValue("cardID"))
	if err != nil {
		return err
	}
	list, err := listHistory(r.Context(), s.DB.R, v.accountID, c.ID, p.After, p.Limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(list, p, func(h *History) string { return h.ID }))
	return nil
}

// DealsHandler answers GET …/deals?contact_id=: a contact's cards on every
// board the caller sees (the conversation tab).
func (s *Service) DealsHandler(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	if f.ContactID == 0 {
		return httpx.Invalid(httpx.FieldError{Field: "contact_id", Message: "is required"})
	}
	boards, err := listBoards(r.Context(), s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	out := []*Card{}
	for _, b := range boards {
		if !v.seesBoard(b) {
			continue
		}
		cond := s.filtered(v, b.ID, nil, f, s.now())
		rows, err := s.DB.R.QueryContext(r.Context(), `SELECT `+prefixed(cardCols)+` FROM kanban_cards c WHERE `+cond.sql()+
			` ORDER BY c.created_at DESC LIMIT 50`, cond.args...)
		cards, err := collectCards(rows, err)
		if err != nil {
			return err
		}
		out = append(out, cards...)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "pagination": httpx.Pagination{}})
	return nil
}
