package cwsim

import "strconv"

// The public client API an API inbox offers (Public::Api::V1::Inboxes::*):
// no user credentials, the inbox identifier and the contact's source_id
// (its contact_identifier) name who is calling.

// publicConversation resolves inbox_identifier, contact_identifier and
// the conversation's display id, each a 404 when unknown.
func (c *call) publicConversation() (*conversation, error) {
	var ib *inbox
	for _, cand := range c.s.inboxes {
		if cand.ChannelType == channelAPI && cand.Identifier == c.params["inbox_identifier"] {
			ib = cand
		}
	}
	if ib == nil {
		return nil, errNotFound()
	}
	ci := c.s.idx.ciBySource[ciKey{ib.ID, c.params["contact_identifier"]}]
	display, err := strconv.Atoi(c.params["conversation_id"])
	if ci == nil || err != nil {
		return nil, errNotFound()
	}
	cv := c.s.conversationByDisplay(ib.AccountID, display)
	if cv == nil || cv.ContactInboxID != ci.ID {
		return nil, errNotFound()
	}
	return cv, nil
}

// routePublicUpdateLastSeen is POST …/conversations/{id}/update_last_seen:
// the contact's last seen becomes now, and UpdateMessageStatusJob marks
// every sent or delivered message the inbox sent up to now as read (one
// message_updated each). It answers an empty 200.
func (s *Sim) routePublicUpdateLastSeen(c *call) reply {
	cv, err := c.publicConversation()
	if err != nil {
		return fromErr(err)
	}
	s.contactSeen(c.out, cv)
	return reply{status: 200}
}

// contactSeen is the customer reading the conversation. Called with mu held.
func (s *Sim) contactSeen(ob *outbox, cv *conversation) {
	now := s.now()
	cv.ContactLastSeenAt = &now
	for _, m := range cv.msgs {
		if m.MessageType != msgIncoming && (m.Status == "sent" || m.Status == "delivered") && !m.CreatedAt.After(now) {
			s.updateMessageStatus(ob, m, "read", "")
		}
	}
}
