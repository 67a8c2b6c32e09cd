package kanban

import (
	"database/sql"
	"net/http"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

const noteCols = `id, card_id, author_id, body, created_at, updated_at`

func scanNote(r interface{ Scan(...any) error }) (*Note, error) {
	n := &Note{}
	return n, db.Translate(r.Scan(&n.ID, &n.CardID, &n.AuthorID, &n.Body, &n.CreatedAt, &n.UpdatedAt))
}

// noteCard loads the card a note route names, visible to the caller.
func (s *Service) noteCard(r *http.Request) (*viewer, *Card, error) {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.visibleBoard(r.Context(), v, r.PathValue("boardID")); err != nil {
		return nil, nil, err
	}
	c, err := s.visibleCard(r.Context(), v, r.PathValue("boardID"), r.PathValue("cardID"))
	return v, c, err
}

// ListNotes answers a card's notes, oldest first.
func (s *Service) ListNotes(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	v, c, err := s.noteCard(r)
	if err != nil {
		return err
	}
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT `+noteCols+` FROM kanban_notes WHERE account_id = $1 AND card_id = $2 AND id > $3
		ORDER BY id LIMIT $4`, v.accountID, c.ID, p.After, p.Limit+1)
	list, err := db.Collect(rows, err, scanNote)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(list, p, func(n *Note) string { return n.ID }))
	return nil
}

type noteInput struct {
	Body string `json:"body"`
}

// CreateNote adds a note to a card.
func (s *Service) CreateNote(w http.ResponseWriter, r *http.Request) error {
	var in noteInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	chk := &checker{}
	body := chk.text("body", in.Body, 1, 10000)
	if err := chk.err(); err != nil {
		return err
	}
	v, c, err := s.noteCard(r)
	if err != nil {
		return err
	}
	now := s.now()
	n := &Note{ID: db.NewID(), CardID: c.ID, AuthorID: iam.PrincipalFrom(r.Context()).UserID, Body: body, CreatedAt: now, UpdatedAt: now}
	err = s.write(r.Context(), v.accountID, func(tx *sql.Tx, bt *batch) error {
		if _, err := tx.ExecContext(r.Context(), `INSERT INTO kanban_notes (id, account_id, card_id, author_id, body, search, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, n.ID, v.accountID, c.ID, n.AuthorID, n.Body, strings.ToLower(n.Body), now); err != nil {
			return db.Translate(err)
		}
		if err := addHistory(r.Context(), tx, v.accountID, c, actorOf(r), "note_added", map[string]any{"note_id": n.ID}, now); err != nil {
			return err
		}
		bt.emit("note.created", boardTopic(c.BoardID), cardScope(c), map[string]any{"card_id": c.ID, "note": n})
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, n)
	return nil
}

// UpdateNote changes a note's text (its author or an admin).
func (s *Service) UpdateNote(w http.ResponseWriter, r *http.Request) error {
	var in noteInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	chk := &checker{}
	body := chk.text("body", in.Body, 1, 10000)
	if err := chk.err(); err != nil {
		return err
	}
	var n *Note
	err := s.changeNote(w, r, func(tx *sql.Tx, bt *batch, c *Card, cur *Note) error {
		cur.Body, cur.UpdatedAt = body, s.now()
		if _, err := tx.ExecContext(r.Context(), `UPDATE kanban_notes SET body = $3, search = $4, updated_at = $5 WHERE account_id = $1 AND id = $2`,
			iam.AccessFrom(r.Context()).AccountID, cur.ID, body, strings.ToLower(body), cur.UpdatedAt); err != nil {
			return db.Translate(err)
		}
		bt.emit("note.updated", boardTopic(c.BoardID), cardScope(c), map[string]any{"card_id": c.ID, "note": cur})
		n = cur
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, n)
	return nil
}

// DeleteNote removes a note (its author or an admin).
func (s *Service) DeleteNote(w http.ResponseWriter, r *http.Request) error {
	err := s.changeNote(w, r, func(tx *sql.Tx, bt *batch, c *Card, cur *Note) error {
		acct := iam.AccessFrom(r.Context()).AccountID
		if _, err := tx.ExecContext(r.Context(), `DELETE FROM kanban_notes WHERE account_id = $1 AND id = $2`, acct, cur.ID); err != nil {
			return err
		}
		if err := addHistory(r.Context(), tx, acct, c, actorOf(r), "note_deleted", map[string]any{"note_id": cur.ID}, s.now()); err != nil {
			return err
		}
		bt.emit("note.deleted", boardTopic(c.BoardID), cardScope(c), map[string]any{"card_id": c.ID, "note_id": cur.ID})
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) changeNote(_ http.ResponseWriter, r *http.Request, fn func(tx *sql.Tx, bt *batch, c *Card, n *Note) error) error {
	v, c, err := s.noteCard(r)
	if err != nil {
		return err
	}
	return s.write(r.Context(), v.accountID, func(tx *sql.Tx, bt *batch) error {
		n, err := scanNote(tx.QueryRowContext(r.Context(), `SELECT `+noteCols+` FROM kanban_notes WHERE account_id = $1 AND card_id = $2 AND id = $3`,
			v.accountID, c.ID, r.PathValue("noteID")))
		if err != nil {
			return err
		}
		if n.AuthorID != iam.PrincipalFrom(r.Context()).UserID && iam.AccessFrom(r.Context()).Role != iam.RoleAdmin {
			return httpx.E(httpx.CodeForbidden, "only the note's author or an admin may change it")
		}
		return fn(tx, bt, c, n)
	})
}
