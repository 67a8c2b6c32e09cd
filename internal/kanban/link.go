package kanban

import (
	"context"
	"errors"

	"github.com/whatpro/hub/internal/db"
)

// linkConversation ties c to a Chatwoot conversation the viewer may see,
// taking its inbox and, when c has none, its contact.
func (s *Service) linkConversation(ctx context.Context, v *viewer, c *Card, displayID int, chk *checker) error {
	if displayID <= 0 {
		chk.add("conversation_id", "must be a Chatwoot conversation id")
		return nil
	}
	conv, err := s.Chatwoot.Conversation(ctx, v.accountID, displayID)
	if errors.Is(err, db.ErrNotFound) {
		chk.add("conversation_id", "no such conversation in Chatwoot")
		return nil
	} else if err != nil {
		return err
	}
	if !v.seesInbox(&conv.InboxID) {
		chk.add("conversation_id", "no such conversation in your inboxes")
		return nil
	}
	sender := conv.Meta.Sender
	if c.Contact != nil && sender.ID != 0 && c.Contact.ID != sender.ID {
		chk.add("conversation_id", "the conversation belongs to another contact")
		return nil
	}
	id, inbox := conv.ID, conv.InboxID
	c.ConversationID, c.InboxID, c.ConversationStatus = &id, &inbox, conv.Status
	if c.Contact == nil && sender.ID != 0 {
		c.Contact = &Contact{ID: sender.ID, Name: clipText(sender.Name, 200), Phone: clipText(sender.PhoneNumber, 40)}
	}
	return nil
}

// linkContact ties c to a Chatwoot contact, with a snapshot of it.
func (s *Service) linkContact(ctx context.Context, v *viewer, c *Card, contactID int, chk *checker) error {
	if contactID <= 0 {
		chk.add("contact_id", "must be a Chatwoot contact id")
		return nil
	}
	if c.ConversationID != nil {
		chk.add("contact_id", "the card follows its conversation's contact")
		return nil
	}
	ct, err := s.Chatwoot.Contact(ctx, v.accountID, contactID)
	if errors.Is(err, db.ErrNotFound) {
		chk.add("contact_id", "no such contact in Chatwoot")
		return nil
	} else if err != nil {
		return err
	}
	c.Contact = &Contact{ID: ct.ID, Name: clipText(ct.Name, 200), Phone: clipText(ct.PhoneNumber, 40)}
	return nil
}

// clipText keeps outside text within a column's budget.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
