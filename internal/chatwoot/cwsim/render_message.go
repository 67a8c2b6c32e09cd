package cwsim

import "time"

func floatTime(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

func (s *Sim) contactByID(id int) *contact {
	for _, ct := range s.contacts {
		if ct.ID == id {
			return ct
		}
	}
	return nil
}

func (s *Sim) conversationByID(id int) *conversation {
	for _, cv := range s.conversations {
		if cv.ID == id {
			return cv
		}
	}
	return nil
}

// conversationMessages returns a conversation's messages in id order.
func (s *Sim) conversationMessages(cv *conversation) []*message {
	var out []*message
	for _, m := range s.messages {
		if m.ConversationID == cv.ID {
			out = append(out, m)
		}
	}
	return out
}

// unreadCount is unread_incoming_messages: incoming after agent_last_seen_at.
func (s *Sim) unreadCount(cv *conversation) int {
	n := 0
	for _, m := range s.conversationMessages(cv) {
		if m.MessageType == msgIncoming && (cv.AgentLastSeenAt == nil || m.CreatedAt.After(*cv.AgentLastSeenAt)) {
			n++
		}
	}
	return n
}

func (s *Sim) senderPush(m *message) any {
	switch m.SenderType {
	case "User":
		if u := s.userByID(m.SenderID); u != nil {
			return userPushJSON(u)
		}
	case "Contact":
		if ct := s.contactByID(m.SenderID); ct != nil {
			return contactPushJSON(ct)
		}
	}
	return nil
}

func (s *Sim) displayID(m *message) int {
	if cv := s.conversationByID(m.ConversationID); cv != nil {
		return cv.DisplayID
	}
	return 0
}

func attachmentsJSON(m *message) []map[string]any {
	out := make([]map[string]any, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		out = append(out, attachmentJSON(a))
	}
	return out
}

// messageJSON is app/views/api/v1/models/_message.json.jbuilder, used by
// messages create, update and index.
func (s *Sim) messageJSON(m *message) map[string]any {
	out := map[string]any{
		"id": m.ID, "content": strPtr(m.Content), "inbox_id": m.InboxID, "conversation_id": s.displayID(m),
		"message_type": m.MessageType, "content_type": m.ContentType, "status": m.Status,
		"content_attributes": orEmpty(m.ContentAttributes), "created_at": m.CreatedAt.Unix(),
		"private": m.Private, "source_id": strPtr(m.SourceID),
	}
	if m.EchoID != "" {
		out["echo_id"] = m.EchoID
	}
	if sender := s.senderPush(m); sender != nil {
		out["sender"] = sender
	}
	if len(m.Attachments) > 0 {
		out["attachments"] = attachmentsJSON(m)
	}
	return out
}

// messagePushJSON is Message#push_event_data: the row's attributes with
// integer message_type and unix created_at, plus a conversation summary.
func (s *Sim) messagePushJSON(m *message) map[string]any {
	out := map[string]any{
		"id": m.ID, "content": strPtr(m.Content), "account_id": m.AccountID, "inbox_id": m.InboxID,
		"conversation_id": s.displayID(m), "message_type": m.MessageType, "created_at": m.CreatedAt.Unix(),
		"updated_at": rubyTime(m.UpdatedAt), "private": m.Private, "status": m.Status,
		"source_id": strPtr(m.SourceID), "content_type": m.ContentType,
		"content_attributes": orEmpty(m.ContentAttributes), "sender_type": nilIfEmpty(m.SenderType),
		"sender_id": nilIfZero(m.SenderID), "external_source_ids": map[string]any{},
		"additional_attributes": orEmpty(m.AdditionalAttributes), "processed_message_content": strPtr(m.Content),
		"sentiment": map[string]any{},
	}
	if cv := s.conversationByID(m.ConversationID); cv != nil {
		source := any(nil)
		if ci := s.contactInboxByID(cv.ContactInboxID); ci != nil {
			source = ci.SourceID
		}
		var assignee any
		if cv.AssigneeID != nil {
			assignee = *cv.AssigneeID
		}
		out["conversation"] = map[string]any{"assignee_id": assignee, "unread_count": s.unreadCount(cv),
			"last_activity_at": cv.LastActivityAt.Unix(), "contact_inbox": map[string]any{"source_id": source}}
	}
	if m.EchoID != "" {
		out["echo_id"] = m.EchoID
	}
	if len(m.Attachments) > 0 {
		out["attachments"] = attachmentsJSON(m)
	}
	if sender := s.senderPush(m); sender != nil {
		out["sender"] = sender
	}
	return out
}

// messageWebhookJSON is Message#webhook_data: string message_type, ISO
// created_at, and the whole conversation webhook_data nested.
func (s *Sim) messageWebhookJSON(m *message) map[string]any {
	out := map[string]any{
		"account": s.accountWebhookJSON(m.AccountID), "additional_attributes": orEmpty(m.AdditionalAttributes),
		"content_attributes": orEmpty(m.ContentAttributes), "content_type": m.ContentType,
		"content": strPtr(m.Content), "created_at": rubyTime(m.CreatedAt), "id": m.ID,
		"message_type": messageTypeNames[m.MessageType], "private": m.Private, "source_id": strPtr(m.SourceID),
		"sender": nil, "inbox": nil, "conversation": nil,
	}
	if ib := s.inboxByID(m.InboxID); ib != nil {
		out["inbox"] = map[string]any{"id": ib.ID, "name": ib.Name}
	}
	if cv := s.conversationByID(m.ConversationID); cv != nil {
		out["conversation"] = s.conversationEventJSON(cv)
	}
	switch m.SenderType {
	case "User":
		if u := s.userByID(m.SenderID); u != nil {
			out["sender"] = userWebhookJSON(u)
		}
	case "Contact":
		if ct := s.contactByID(m.SenderID); ct != nil {
			out["sender"] = s.contactWebhookJSON(ct)
		}
	}
	if len(m.Attachments) > 0 {
		out["attachments"] = attachmentsJSON(m)
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nilIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
