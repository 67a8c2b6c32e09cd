package kanban

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// CreateCard adds a deal to a board (first open stage unless stage_id).
func (s *Service) CreateCard(ctx context.Context, v *viewer, a actor, boardID string, in *cardInput) (*Card, error) {
	b, err := s.visibleBoard(ctx, v, boardID)
	if err != nil {
		return nil, err
	}
	stages, err := listStages(ctx, s.DB.R, v.accountID, boardID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &Card{ID: db.NewID(), BoardID: b.ID, Currency: b.Currency, Priority: "none", Labels: []string{}, AssigneeIDs: []string{},
		CustomFields: map[string]any{}, Version: 1, StageEnteredAt: now, Origin: "manual", CreatedBy: a.ID, CreatedAt: now, UpdatedAt: now}
	chk := &checker{}
	if !in.Title.Set {
		chk.add("title", "is required")
	}
	var st *Stage
	if in.StageID.Set && !in.StageID.Null {
		st = findStage(stages, in.StageID.Value)
		if st == nil {
			chk.add("stage_id", "must be a stage of this board")
		}
	} else {
		for _, x := range stages {
			if x.Kind == KindOpen {
				st = x
				break
			}
		}
		if st == nil {
			chk.add("stage_id", "the board has no open stage")
		}
	}
	if st != nil {
		c.StageID, c.Status = st.ID, st.Kind
		if st.Kind != KindOpen {
			c.ClosedAt = &now
		}
	}
	if err := s.apply(ctx, v, b, c, in, chk); err != nil {
		return nil, err
	}
	if err := chk.err(); err != nil {
		return nil, err
	}
	if st != nil {
		if bad := missingRequired(st, c); len(bad) > 0 {
			return nil, httpx.E(httpx.CodeUnprocessable, "the stage "+st.Name+" requires more fields", bad...)
		}
	}
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, bt *batch) error {
		if err := s.checkWIP(ctx, tx, v.accountID, st, 1); err != nil {
			return err
		}
		pos, rebalanced, err := s.position(ctx, tx, v.accountID, b.ID, c.StageID, c.ID, placement{BeforeID: in.BeforeID.Value, AfterID: in.AfterID.Value})
		if err != nil {
			return err
		}
		c.Position = pos
		if _, err := insertCard(ctx, tx, v.accountID, c, false); err != nil {
			return duplicateOpen(err)
		}
		if rebalanced {
			bt.emit("stage.rebalanced", boardTopic(b.ID), "", map[string]any{"board_id": b.ID, "stage_id": c.StageID})
		}
		if err := addHistory(ctx, tx, v.accountID, c, a, "created", map[string]any{"stage_id": c.StageID}, now); err != nil {
			return err
		}
		bt.card("card.created", c, nil)
		if b.StageAttribute != "" && c.ConversationID != nil {
			bt.mirror = append(bt.mirror, c.ID)
		}
		return nil
	})
	return c, err
}

func findStage(stages []*Stage, id string) *Stage {
	for _, st := range stages {
		if st.ID == id {
			return st
		}
	}
	return nil
}

// apply copies the writable fields of in onto c (not stage or position),
// linking the contact and conversation through Chatwoot.
func (s *Service) apply(ctx context.Context, v *viewer, b *Board, c *Card, in *cardInput, chk *checker) error {
	if in.Title.Set {
		c.Title = chk.text("title", in.Title.Value, 1, 200)
	}
	if in.ValueCents.Set {
		if in.ValueCents.Null || in.ValueCents.Value < 0 || in.ValueCents.Value > maxValueCents {
			chk.add("value_cents", "must be a whole number of cents, 0 or more")
		} else {
			c.ValueCents = in.ValueCents.Value
		}
	}
	if in.Currency.Set {
		if !currencyRe.MatchString(in.Currency.Value) {
			chk.add("currency", "must be an ISO 4217 code such as BRL")
		} else {
			c.Currency = in.Currency.Value
		}
	}
	if in.Priority.Set {
		if !contains(priorities, in.Priority.Value) {
			chk.add("priority", "must be one of "+strings.Join(priorities, ", "))
		} else {
			c.Priority = in.Priority.Value
		}
	}
	if in.DueAt.Set {
		c.DueAt = nil
		if !in.DueAt.Null {
			c.DueAt = chk.due(in.DueAt.Value)
		}
	}
	if in.Labels.Set {
		c.Labels = chk.list("labels", in.Labels.Value, 20, 50)
	}
	if in.AssigneeIDs.Set {
		c.AssigneeIDs = chk.list("assignee_ids", in.AssigneeIDs.Value, 20, 64)
		members(ctx, s.DB.R, v.accountID, c.AssigneeIDs, chk)
	}
	if in.CustomFields.Set && !in.CustomFields.Null {
		c.CustomFields = customFields(b.CustomFields, c.CustomFields, in.CustomFields.Value, chk)
	}
	if len(chk.bad) > 0 {
		return nil
	}
	if in.ConversationID.Set {
		if in.ConversationID.Null {
			c.ConversationID, c.InboxID, c.ConversationStatus = nil, nil, ""
		} else if err := s.linkConversation(ctx, v, c, in.ConversationID.Value, chk); err != nil {
			return err
		}
	}
	if in.ContactID.Set {
		if in.ContactID.Null {
			if c.ConversationID != nil {
				chk.add("contact_id", "unlink the conversation first")
			} else {
				c.Contact = nil
			}
		} else if c.Contact == nil || c.Contact.ID != in.ContactID.Value {
			if err := s.linkContact(ctx, v, c, in.ContactID.Value, chk); err != nil {
				return err
			}
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// UpdateCard changes a card's fields; with version, a stale one is 409.
func (s *Service) UpdateCard(ctx context.Context, v *viewer, a actor, boardID, id string, in *cardInput) (*Card, error) {
	b, err := s.visibleBoard(ctx, v, boardID)
	if err != nil {
		return nil, err
	}
	if in.StageID.Set || in.BeforeID.Set || in.AfterID.Set {
		return nil, httpx.Invalid(httpx.FieldError{Field: "stage_id", Message: "use POST …/move to move a card"})
	}
	cur, err := s.visibleCard(ctx, v, boardID, id)
	if err != nil {
		return nil, err
	}
	next := *cur
	chk := &checker{}
	if err := s.apply(ctx, v, b, &next, in, chk); err != nil {
		return nil, err
	}
	if err := chk.err(); err != nil {
		return nil, err
	}
	var out *Card
	err = s.write(ctx, v.accountID, func(tx *sql.Tx, bt *batch) error {
		c, err := s.lockCard(ctx, tx, v.accountID, boardID, id)
		if err != nil {
			return err
		}
		if in.Version.Set && in.Version.Value != c.Version {
			return &StaleError{Card: c}
		}
		changed := diff(c, &next)
		if len(changed) == 0 {
			out = c
			return nil
		}
		next.StageID, next.Status, next.Position, next.StageEnteredAt = c.StageID, c.Status, c.Position, c.StageEnteredAt
		next.ClosedAt, next.ClosedReason, next.LastActivityAt, next.LastMessagePreview = c.ClosedAt, c.ClosedReason, c.LastActivityAt, c.LastMessagePreview
		next.Version, next.UpdatedAt = c.Version+1, s.now()
		if err := saveCard(ctx, tx, v.accountID, &next); err != nil {
			return duplicateOpen(err)
		}
		if err := addHistory(ctx, tx, v.accountID, &next, a, "updated", map[string]any{"fields": changed}, next.UpdatedAt); err != nil {
			return err
		}
		bt.card("card.updated", &next, nil)
		if b.StageAttribute != "" && next.ConversationID != nil && (c.ConversationID == nil || *c.ConversationID != *next.ConversationID) {
			bt.mirror = append(bt.mirror, next.ID)
		}
		out = &next
		return nil
	})
	return out, err
}

// diff names the user-visible fields that differ.
func diff(a, b *Card) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("title", a.Title != b.Title)
	add("value_cents", a.ValueCents != b.ValueCents)
	add("currency", a.Currency != b.Currency)
	add("priority", a.Priority != b.Priority)
	add("due_at", (a.DueAt == nil) != (b.DueAt == nil) || a.DueAt != nil && !a.DueAt.Equal(*b.DueAt))
	add("labels", jsonText(a.Labels) != jsonText(b.Labels))
	add("assignee_ids", jsonText(a.AssigneeIDs) != jsonText(b.AssigneeIDs))
	add("contact", jsonText(a.Contact) != jsonText(b.Contact))
	add("conversation_id", jsonText(a.ConversationID) != jsonText(b.ConversationID))
	add("custom_fields", jsonText(a.CustomFields) != jsonText(b.CustomFields))
	return out
}

// DeleteCard removes a card (its history stays).
func (s *Service) DeleteCard(ctx context.Context, v *viewer, a actor, boardID, id string) error {
	if _, err := s.visibleCard(ctx, v, boardID, id); err != nil {
		return err
	}
	return s.write(ctx, v.accountID, func(tx *sql.Tx, bt *batch) error {
		c, err := s.lockCard(ctx, tx, v.accountID, boardID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kanban_notes WHERE account_id = $1 AND card_id = $2`, v.accountID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kanban_cards WHERE account_id = $1 AND id = $2`, v.accountID, id); err != nil {
			return err
		}
		if err := addHistory(ctx, tx, v.accountID, c, a, "deleted", map[string]any{"title": c.Title}, s.now()); err != nil {
			return err
		}
		bt.emit("card.deleted", boardTopic(boardID), cardScope(c), map[string]any{"card_id": c.ID, "stage_id": c.StageID, "board_id": boardID})
		return nil
	})
}

// visibleBoard loads a board the viewer may see (404 otherwise).
func (s *Service) visibleBoard(ctx context.Context, v *viewer, id string) (*Board, error) {
	b, err := getBoard(ctx, s.DB.Reads(), v.accountID, id)
	if err != nil {
		return nil, err
	}
	if !v.seesBoard(b) {
		return nil, httpx.NotFound()
	}
	return b, nil
}

// visibleCard loads a card of a visible board whose inbox the viewer
// sees (404 otherwise).
func (s *Service) visibleCard(ctx context.Context, v *viewer, boardID, id string) (*Card, error) {
	c, err := getCard(ctx, s.DB.R, v.accountID, id)
	if err != nil {
		return nil, err
	}
	if c.BoardID != boardID || !v.seesCard(c) {
		return nil, httpx.NotFound()
	}
	return c, nil
}
