package kanban

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/intake"
)

var chatwootActor = actor{"chatwoot", ""}

// Handlers are the Kanban's consumers of stored Chatwoot events, keyed as
// intake.Dispatcher.RegisterAll expects. Each is a function of the stored
// execution only; replays and duplicates change nothing twice.
func (s *Service) Handlers() map[string]intake.EventHandler {
	return map[string]intake.EventHandler{
		"chatwoot:conversation_created":        s.OnConversationCreated,
		"chatwoot:message_created":             s.OnMessageCreated,
		"chatwoot:contact_updated":             s.OnContactUpdated,
		"chatwoot:conversation_status_changed": s.OnConversationStatusChanged,
	}
}

func (s *Service) enabled(ctx context.Context, accountID string) bool {
	if s.IAM == nil || s.IAM.Features == nil {
		return false
	}
	on, err := s.IAM.Features.Enabled(ctx, accountID, feature.Kanban, "admin")
	return err == nil && on
}

// OnConversationCreated opens a card on each board whose entry rule takes
// the conversation's inbox.
func (s *Service) OnConversationCreated(ctx context.Context, ex *intake.Execution) error {
	conv, err := parseConversation(ex.Payload)
	if err != nil {
		return river.JobCancel(err)
	}
	if !s.enabled(ctx, ex.AccountID) {
		return nil
	}
	return s.ensureCards(ctx, ex.AccountID, conv)
}

// ensureCards makes sure every matching board has an open card for the
// conversation's contact, linking the conversation to one that has none.
// The unique index on open cards per (board, contact) makes concurrent
// duplicates insert once.
func (s *Service) ensureCards(ctx context.Context, accountID string, conv *cwConversation) error {
	if conv.Meta.Sender == nil {
		return nil // no contact: nothing to tie a deal to
	}
	if err := s.EnsureDefaultBoard(ctx, accountID); err != nil {
		return err
	}
	boards, err := listBoards(ctx, s.DB.R, accountID)
	if err != nil {
		return err
	}
	for _, b := range boards {
		if !b.EntryRule.Matches(conv.InboxID) {
			continue
		}
		if err := s.ensureCard(ctx, accountID, b, conv); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) ensureCard(ctx context.Context, accountID string, b *Board, conv *cwConversation) error {
	stages, err := listStages(ctx, s.DB.R, accountID, b.ID)
	if err != nil {
		return err
	}
	var landing *Stage
	for _, st := range stages {
		if st.Kind == KindOpen {
			landing = st
			break
		}
	}
	if landing == nil {
		return nil
	}
	sender := conv.Meta.Sender
	now := s.now()
	title := clipText(sender.Name, 200)
	if title == "" {
		title = phoneOf(sender)
	}
	if title == "" {
		title = "#" + strconv.Itoa(conv.ID)
	}
	id, inbox := conv.ID, conv.InboxID
	c := &Card{ID: db.NewID(), BoardID: b.ID, StageID: landing.ID, Status: KindOpen, Title: title, Currency: b.Currency, Priority: "none",
		Labels: []string{}, AssigneeIDs: []string{}, CustomFields: map[string]any{}, Version: 1, StageEnteredAt: now,
		Contact: &Contact{ID: sender.ID, Name: clipText(sender.Name, 200), Phone: phoneOf(sender)}, ConversationID: &id, InboxID: &inbox,
		ConversationStatus: conv.Status, synced: conv.UpdatedAt, Origin: "conversation", CreatedAt: now, UpdatedAt: now}
	return s.write(ctx, accountID, func(tx *sql.Tx, bt *batch) error {
		pos, _, err := s.position(ctx, tx, accountID, b.ID, landing.ID, c.ID, placement{})
		if err != nil {
			return err
		}
		c.Position = pos
		inserted, err := insertCard(ctx, tx, accountID, c, true)
		if err != nil {
			return err
		}
		if inserted {
			if err := addHistory(ctx, tx, accountID, c, chatwootActor, "created", map[string]any{"stage_id": c.StageID, "conversation_id": id}, now); err != nil {
				return err
			}
			bt.card("card.created", c, nil)
			if b.StageAttribute != "" {
				bt.mirror = append(bt.mirror, c.ID)
			}
			return nil
		}
		// The contact's open card exists: give it the conversation if it
		// has none (a manual deal, or one whose conversation was unlinked).
		cur, err := scanCard(tx.QueryRowContext(ctx, `SELECT `+cardCols+` FROM kanban_cards WHERE account_id = $1 AND board_id = $2
			AND contact_id = $3 AND status = 'open'`+lockSuffix(s.DB.Dialect), accountID, b.ID, sender.ID))
		if err != nil || cur.ConversationID != nil {
			return err
		}
		cur.ConversationID, cur.InboxID, cur.ConversationStatus, cur.synced = &id, &inbox, conv.Status, conv.UpdatedAt
		cur.Version, cur.UpdatedAt = cur.Version+1, now
		if err := saveCard(ctx, tx, accountID, cur); err != nil {
			return err
		}
		if err := addHistory(ctx, tx, accountID, cur, chatwootActor, "conversation_linked", map[string]any{"conversation_id": id}, now); err != nil {
			return err
		}
		bt.card("card.updated", cur, nil)
		return nil
	})
}

// cardsOf locks the cards linked to a conversation (or of a contact).
func (s *Service) cardsOf(ctx context.Context, tx *sql.Tx, accountID, col string, id int) ([]*Card, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+cardCols+` FROM kanban_cards WHERE account_id = $1 AND `+col+` = $2 ORDER BY id`+
		lockSuffix(s.DB.Dialect), accountID, id)
	return db.Collect(rows, err, scanCard)
}

// OnMessageCreated moves the last activity and preview of the
// conversation's cards forward (never back: a late webhook of an older
// message changes nothing), and opens cards a missed conversation_created
// left out.
func (s *Service) OnMessageCreated(ctx context.Context, ex *intake.Execution) error {
	m, at, err := parseMessage(ex.Payload)
	if err != nil {
		return river.JobCancel(err)
	}
	if !s.enabled(ctx, ex.AccountID) {
		return nil
	}
	var linked bool
	err = s.write(ctx, ex.AccountID, func(tx *sql.Tx, bt *batch) error {
		cards, err := s.cardsOf(ctx, tx, ex.AccountID, "conversation_id", m.Conversation.ID)
		if err != nil {
			return err
		}
		linked = len(cards) > 0
		for _, c := range cards {
			if c.LastActivityAt != nil && !c.LastActivityAt.Before(at) {
				continue
			}
			c.LastActivityAt, c.UpdatedAt = &at, s.now()
			if !m.Private {
				c.LastMessagePreview = preview(m.Content)
			}
			if err := saveCard(ctx, tx, ex.AccountID, c); err != nil {
				return err
			}
			bt.card("card.updated", c, nil)
		}
		return nil
	})
	if err != nil || linked || m.Conversation.InboxID <= 0 {
		return err
	}
	return s.ensureCards(ctx, ex.AccountID, m.Conversation)
}

// OnContactUpdated refreshes the contact snapshot of its cards. When the
// payload differs from the snapshot, the contact is read again from
// Chatwoot, so a late webhook never writes an older name back.
func (s *Service) OnContactUpdated(ctx context.Context, ex *intake.Execution) error {
	ct, err := parseContact(ex.Payload)
	if err != nil {
		return river.JobCancel(err)
	}
	if !s.enabled(ctx, ex.AccountID) {
		return nil
	}
	var differs bool
	rows, err := s.DB.R.QueryContext(ctx, `SELECT contact_name, contact_phone FROM kanban_cards WHERE account_id = $1 AND contact_id = $2`,
		ex.AccountID, ct.ID)
	snaps, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) ([2]string, error) {
		var v [2]string
		return v, r.Scan(&v[0], &v[1])
	})
	if err != nil {
		return err
	}
	for _, sn := range snaps {
		if sn[0] != clipText(ct.Name, 200) || sn[1] != phoneOf(ct) {
			differs = true
		}
	}
	if !differs {
		return nil
	}
	cur, err := s.Chatwoot.Contact(ctx, ex.AccountID, ct.ID)
	if err != nil {
		if err == db.ErrNotFound {
			return nil // deleted in Chatwoot: the snapshot stays
		}
		return err
	}
	phone := cur.PhoneNumber
	return s.setContact(ctx, ex.AccountID, &cwSender{ID: cur.ID, Name: cur.Name, PhoneNumber: &phone})
}

// setContact writes a contact's current name and phone to its cards.
func (s *Service) setContact(ctx context.Context, accountID string, ct *cwSender) error {
	return s.write(ctx, accountID, func(tx *sql.Tx, bt *batch) error {
		cards, err := s.cardsOf(ctx, tx, accountID, "contact_id", ct.ID)
		if err != nil {
			return err
		}
		for _, c := range cards {
			name, phone := clipText(ct.Name, 200), phoneOf(ct)
			if c.Contact.Name == name && c.Contact.Phone == phone {
				continue
			}
			c.Contact.Name, c.Contact.Phone, c.UpdatedAt = name, phone, s.now()
			if err := saveCard(ctx, tx, accountID, c); err != nil {
				return err
			}
			bt.card("card.updated", c, nil)
		}
		return nil
	})
}

// OnConversationStatusChanged records the conversation's new status in
// its cards' history, unless a newer status was applied already (the
// payload's updated_at orders them; without one, Chatwoot is asked).
func (s *Service) OnConversationStatusChanged(ctx context.Context, ex *intake.Execution) error {
	conv, err := parseConversation(ex.Payload)
	if err != nil {
		return river.JobCancel(err)
	}
	if !s.enabled(ctx, ex.AccountID) {
		return nil
	}
	if conv.UpdatedAt <= 0 {
		cur, err := s.Chatwoot.Conversation(ctx, ex.AccountID, conv.ID)
		if err == db.ErrNotFound {
			return nil
		} else if err != nil {
			return err
		}
		conv.Status, conv.UpdatedAt = cur.Status, cur.UpdatedAt
	}
	return s.applyStatus(ctx, ex.AccountID, conv)
}

func (s *Service) applyStatus(ctx context.Context, accountID string, conv *cwConversation) error {
	return s.write(ctx, accountID, func(tx *sql.Tx, bt *batch) error {
		cards, err := s.cardsOf(ctx, tx, accountID, "conversation_id", conv.ID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, c := range cards {
			if conv.UpdatedAt <= c.synced {
				continue
			}
			from := c.ConversationStatus
			c.ConversationStatus, c.synced, c.UpdatedAt = conv.Status, conv.UpdatedAt, now
			if err := saveCard(ctx, tx, accountID, c); err != nil {
				return err
			}
			if from != conv.Status {
				if err := addHistory(ctx, tx, accountID, c, chatwootActor, "conversation_status",
					map[string]any{"from": from, "to": conv.Status, "conversation_id": conv.ID}, now); err != nil {
					return err
				}
				bt.card("card.updated", c, nil)
			}
		}
		return nil
	})
}
