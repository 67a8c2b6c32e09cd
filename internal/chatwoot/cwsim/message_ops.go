package cwsim

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

var messageStatuses = []string{"sent", "delivered", "read", "failed"}

var contentTypes = []string{"text", "input_text", "input_textarea", "input_email", "input_select", "cards",
	"form", "article", "incoming_email", "input_csat", "integrations", "sticker", "voice_call"}

// messageInput is what Messages::MessageBuilder reads.
type messageInput struct {
	typ          int
	content      *string
	contentType  string
	private      bool
	sourceID     *string
	echoID       string
	contentAttrs map[string]any
	additional   map[string]any
	files        []upload
}

// parseMessageInput validates like MessageBuilder; every failure is a
// StandardError that MessagesController#create renders as 422 {error}.
func parseMessageInput(p map[string]any, files []upload) (messageInput, error) {
	in := messageInput{typ: msgOutgoing, contentType: "text", files: files}
	switch v := p["message_type"].(type) {
	case nil:
	case json.Number:
		n, err := v.Int64()
		if err != nil || n < 0 || n > 3 {
			return in, errCouldNotCreate("'" + v.String() + "' is not a valid message_type")
		}
		in.typ = int(n)
	default:
		name, _ := pString(p, "message_type")
		in.typ = slices.Index(messageTypeNames, name)
		if in.typ < 0 {
			return in, errCouldNotCreate("'" + name + "' is not a valid message_type")
		}
	}
	if ct, present := pString(p, "content_type"); present && ct != "" {
		if !slices.Contains(contentTypes, ct) {
			return in, errCouldNotCreate("'" + ct + "' is not a valid content_type")
		}
		in.contentType = ct
	}
	if c, present := pString(p, "content"); present && p["content"] != nil {
		in.content = &c
	}
	in.private, _ = pBool(p, "private")
	if sid, present := pString(p, "source_id"); present && sid != "" {
		in.sourceID = &sid
	}
	in.echoID, _ = pString(p, "echo_id")
	in.contentAttrs, _ = pMap(p, "content_attributes")
	if tp, isObj := pMap(p, "template_params"); isObj {
		in.additional = map[string]any{"template_params": tp}
	}
	return in, nil
}

// createMessage is MessageBuilder#perform plus the model callbacks the hub
// observes: last_activity_at, contact activity, reopening on incoming,
// waiting_since / first_reply_created_at, and message_created. Called
// with mu held.
func (s *Sim) createMessage(ob *outbox, cv *conversation, actor *user, in messageInput) (*message, error) {
	ib := s.inboxByID(cv.InboxID)
	if in.typ == msgIncoming && (ib == nil || ib.ChannelType != channelAPI) {
		return nil, errCouldNotCreate("Incoming messages are only allowed in Api inboxes")
	}
	now := s.now()
	m := &message{ID: s.next("message"), AccountID: cv.AccountID, InboxID: cv.InboxID, ConversationID: cv.ID,
		Content: in.content, MessageType: in.typ, ContentType: in.contentType, ContentAttributes: in.contentAttrs,
		AdditionalAttributes: in.additional, Status: "sent", SourceID: in.sourceID, EchoID: in.echoID,
		Private: in.private, CreatedAt: now, UpdatedAt: now}
	switch {
	case in.typ == msgIncoming:
		m.SenderType, m.SenderID = "Contact", cv.ContactID
	case actor != nil:
		m.SenderType, m.SenderID = "User", actor.ID
	}
	for _, f := range in.files {
		a := &attachment{ID: s.next("attachment"), MessageID: m.ID, AccountID: m.AccountID,
			FileType: fileType(f.ContentType), Filename: f.Filename, ContentType: f.ContentType,
			Key: randomToken(28), Data: f.Data}
		a.DataURL = ob.base + "/rails/active_storage/blobs/redirect/" + a.Key + "/" + url.PathEscape(f.Filename)
		m.Attachments = append(m.Attachments, a)
	}
	s.messages = append(s.messages, m)
	if in.typ != msgActivity {
		cv.LastActivityAt = now // update_columns: no conversation_updated
	}
	if in.typ == msgIncoming {
		if ct := s.contactByID(cv.ContactID); ct != nil {
			before := *ct
			ct.LastActivityAt = &now
			s.contactChanged(ob, &before, ct)
		}
		if cv.Status == "resolved" || cv.Status == "snoozed" {
			s.changeConversation(ob, cv, actor, func(cv *conversation) { cv.Status = "open" })
		}
	}
	human := m.SenderType == "User" && (in.typ == msgOutgoing || in.typ == msgTemplate) && !in.private
	s.changeConversation(ob, cv, nil, func(cv *conversation) {
		switch {
		case in.typ == msgIncoming && cv.WaitingSince == nil:
			cv.WaitingSince = &now
		case human:
			cv.WaitingSince = nil
			if cv.FirstReplyCreatedAt == nil {
				cv.FirstReplyCreatedAt = &now
			}
		}
	})
	if in.typ != msgActivity {
		s.emit(ob, cv.AccountID, ib, "message_created", s.messageWebhookJSON(m))
	}
	return m, nil
}

// fileType is MessageBuilder#file_type.
func fileType(contentType string) string {
	switch {
	case strings.HasPrefix(contentType, "image/"):
		return "image"
	case strings.HasPrefix(contentType, "audio/"):
		return "audio"
	case strings.HasPrefix(contentType, "video/"):
		return "video"
	}
	return "file"
}

// updateMessageStatus is Messages::StatusUpdateService: unknown statuses
// and read → delivered are ignored; external_error is kept only for failed.
// Called with mu held.
func (s *Sim) updateMessageStatus(ob *outbox, m *message, status, externalError string) {
	if !slices.Contains(messageStatuses, status) || (m.Status == "read" && status == "delivered") {
		return
	}
	var extErr any
	if status == "failed" {
		extErr = externalError
	}
	prevErr, hadErr := m.ContentAttributes["external_error"]
	if m.Status == status && (jsonEqual(prevErr, extErr) || (!hadErr && extErr == nil)) {
		return
	}
	attrs := map[string]any{}
	for k, v := range m.ContentAttributes {
		attrs[k] = v
	}
	attrs["external_error"] = extErr
	m.Status, m.ContentAttributes, m.UpdatedAt = status, attrs, s.now()
	if m.MessageType != msgActivity {
		s.emit(ob, m.AccountID, s.inboxByID(m.InboxID), "message_updated", s.messageWebhookJSON(m))
	}
}

// markMessageFailed is Webhooks::Trigger#handle_error for API inboxes.
func (s *Sim) markMessageFailed(messageID int, reason string) {
	ob := &outbox{base: s.frontendURL(nil)}
	s.mu.Lock()
	for _, m := range s.messages {
		if m.ID == messageID {
			s.updateMessageStatus(ob, m, "failed", reason)
		}
	}
	s.mu.Unlock()
	select {
	case <-s.closed:
		return // no new deliveries once the sim is closing
	default:
	}
	s.dispatch(ob)
}
