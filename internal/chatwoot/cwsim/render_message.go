package cwsim

import (
	"regexp"
	"strings"
	"time"
)

func floatTime(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

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
	case "AgentBot":
		if b := s.agentBotByID(m.SenderID); b != nil {
			return agentBotPushJSON(b)
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
		"content": s.webhookContent(m), "created_at": rubyTime(m.CreatedAt), "id": m.ID,
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
	case "AgentBot":
		if b := s.agentBotByID(m.SenderID); b != nil {
			out["sender"] = agentBotWebhookJSON(b)
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

var (
	hardBreakRe     = regexp.MustCompile(`\\\r?\n`)
	trailingBreakRe = regexp.MustCompile(`(\r?\n)+$`)
)

// normalizeWebhookContent is Messages::WebhookContentNormalizer: the
// dashboard editor stores CommonMark hard breaks ("\\" + newline) and a
// trailing paragraph's newlines; webhooks get plain newlines and no
// trailing ones. Markdown itself stays as written.
func normalizeWebhookContent(text string) string {
	if strings.TrimSpace(text) == "" { // text.blank?
		return text
	}
	return trailingBreakRe.ReplaceAllString(hardBreakRe.ReplaceAllString(text, "\n"), "")
}

// webhookContent is MessageContentPresenter#webhook_content: a CSAT
// survey (input_csat outside web widgets) becomes the survey invitation
// with its public link, then the content is normalized.
func (s *Sim) webhookContent(m *message) any {
	text := m.Content
	if m.ContentType == "input_csat" {
		if ib := s.inboxByID(m.InboxID); ib != nil && ib.ChannelType != channelWebWidget {
			link := s.surveyURL(m)
			text = &link
		}
	}
	if text == nil {
		return nil
	}
	return normalizeWebhookContent(*text)
}

// surveyURL is "Please rate this conversation, {FRONTEND_URL}/survey/responses/{uuid}"
// (conversations.survey.response).
func (s *Sim) surveyURL(m *message) string {
	uuid := ""
	if cv := s.conversationByID(m.ConversationID); cv != nil {
		uuid = cv.UUID
	}
	base := s.frontendURL(nil)
	return "Please rate this conversation, " + base + "/survey/responses/" + uuid
}

// webhookPushJSON is Message#webhook_push_event_data, the push form
// conversation webhooks nest: content and processed_message_content
// normalized.
func (s *Sim) webhookPushJSON(m *message) map[string]any {
	out := s.messagePushJSON(m)
	if m.Content != nil {
		out["content"] = normalizeWebhookContent(*m.Content)
		out["processed_message_content"] = out["content"]
	}
	return out
}
