package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/provider"
)

// address is where a provider sends to a peer: Evolution takes JIDs, the
// Cloud API a wa_id.
func address(typ string, p Peer) string {
	switch {
	case p.Group != "":
		return p.Group
	case typ == provider.TypeCloudAPI:
		return p.Phone
	case p.Phone != "":
		return p.Phone + jidUser
	}
	return p.LID
}

// identifiers are the Chatwoot contact identifiers a peer may have been
// saved under: the phone JID in both Brazilian forms, the LID, the group.
func identifiers(p Peer) []string {
	if p.Group != "" {
		return []string{p.Group}
	}
	var out []string
	if p.Phone != "" {
		out = append(out, p.Phone+jidUser)
		for _, v := range phoneVariants(p.Phone) {
			if v != p.Phone {
				out = append(out, v+jidUser)
			}
		}
	}
	if p.LID != "" {
		out = append(out, p.LID)
	}
	if p.UserID != "" {
		out = append(out, "user:"+p.UserID)
	}
	return out
}

// ensureChat finds the chat of a message under any of the peer's names
// (creating it), and makes sure it has its Chatwoot contact and
// conversation. The lane runs one message of a chat at a time, so a burst
// from a new customer makes one contact and one conversation.
func (s *Service) ensureChat(ctx context.Context, acct *chatwoot.Account, num *provider.Number, p Peer) (*chat, error) {
	now := s.now()
	aliases := p.Aliases()
	c, err := chatByAlias(ctx, s.DB.R, num.Instance.AccountID, num.Instance.ID, aliases)
	switch {
	case errors.Is(err, db.ErrNotFound):
		kind := "user"
		if p.Group != "" {
			kind = "group"
		}
		c, err = saveChat(ctx, s.DB, &chat{AccountID: num.Instance.AccountID, InstanceID: num.Instance.ID, Key: p.Key(), Kind: kind,
			JID: address(num.Type, p), Phone: p.Phone, Name: p.Name}, aliases, now)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if err := learn(ctx, s.DB, c, p, address(num.Type, p), now); err != nil {
			return nil, err
		}
		if c.Phone == "" {
			c.Phone = p.Phone
		}
	}
	if c.ContactID == nil {
		id, source, err := s.findOrCreateContact(ctx, acct, num, c, p)
		if err != nil {
			return nil, err
		}
		if err := setChatContact(ctx, s.DB.W, c.AccountID, c.ID, id, source, now); err != nil {
			return nil, err
		}
		c.ContactID, c.ContactSourceID = &id, source
	}
	if c.ConversationID == nil {
		conv, err := acct.CreateConversation(ctx, chatwoot.ConversationFields{InboxID: num.ChatwootInboxID, ContactID: *c.ContactID,
			SourceID: c.ContactSourceID})
		if err != nil {
			return nil, classify(err)
		}
		if err := setChatConversation(ctx, s.DB.W, c.AccountID, c.ID, &conv.ID, now); err != nil {
			return nil, err
		}
		c.ConversationID = &conv.ID
	}
	return c, nil
}

// findOrCreateContact looks the customer up in Chatwoot the way a person
// would have been saved: by this inbox's contact (source_id), by
// identifier, then by phone in both Brazilian forms; only then creates.
func (s *Service) findOrCreateContact(ctx context.Context, acct *chatwoot.Account, num *provider.Number, c *chat, p Peer) (int, string, error) {
	source := c.Key
	ct, err := acct.FindContactInbox(ctx, num.ChatwootInboxID, source)
	if err == nil {
		return ct.ID, source, nil
	} else if !chatwoot.IsNotFound(err) {
		return 0, "", classify(err)
	}
	var found *chatwoot.FullContact
	if ids := identifiers(p); len(ids) > 0 {
		list, err := acct.FilterContacts(ctx, "identifier", ids...)
		if err != nil {
			return 0, "", classify(err)
		}
		if len(list) > 0 {
			found = &list[0]
		}
	}
	phone := firstNonEmpty(p.Phone, c.Phone)
	if found == nil && phone != "" && p.Group == "" {
		var variants []string
		for _, v := range phoneVariants(phone) {
			variants = append(variants, e164(v))
		}
		list, err := acct.FilterContacts(ctx, "phone_number", variants...)
		if err != nil {
			return 0, "", classify(err)
		}
		found = preferPhone(list, e164(phoneKey(phone)))
	}
	if found != nil {
		for _, ci := range found.ContactInboxes {
			if ci.Inbox.ID == num.ChatwootInboxID && ci.SourceID != "" {
				// the contact already talks through this inbox: keep its
				// contact inbox, so a locked inbox keeps its conversation
				return found.ID, ci.SourceID, nil
			}
		}
		if _, err := acct.CreateContactInbox(ctx, found.ID, num.ChatwootInboxID, source); err != nil && chatwoot.Classify(err) != chatwoot.Final {
			return 0, "", err
		}
		return found.ID, source, nil
	}
	f := chatwoot.ContactFields{Name: contactName(p, phone), InboxID: num.ChatwootInboxID, SourceID: source}
	if ids := identifiers(p); len(ids) > 0 {
		f.Identifier = ids[0]
	}
	if phone != "" && p.Group == "" {
		f.PhoneNumber = e164(phoneKey(phone)) // never a LID
	}
	created, src, err := acct.CreateContact(ctx, f)
	if err != nil {
		return 0, "", classify(err)
	}
	return created.ID, firstNonEmpty(src, source), nil
}

// preferPhone picks, among contacts matching a phone's forms, the one
// saved under the canonical (13-digit) form, else the first.
func preferPhone(list []chatwoot.FullContact, canonical string) *chatwoot.FullContact {
	for i := range list {
		if list[i].Phone() == canonical {
			return &list[i]
		}
	}
	if len(list) > 0 {
		return &list[0]
	}
	return nil
}

func contactName(p Peer, phone string) string {
	switch {
	case p.Group != "":
		return "Grupo " + strings.TrimSuffix(p.Group, jidGroup) + " (GROUP)"
	case p.Name != "":
		return p.Name
	case phone != "":
		return e164(phoneKey(phone))
	}
	return "WhatsApp " + strings.TrimSuffix(firstNonEmpty(p.LID, p.UserID), jidLID)
}

// classify maps a Chatwoot failure to the lane's outcome.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, chatwoot.ErrUnauthorized) {
		return hold(holdDelay, "Chatwoot refused the link's token: %v", err)
	}
	if chatwoot.Classify(err) == chatwoot.Final {
		return final(err)
	}
	return err
}
