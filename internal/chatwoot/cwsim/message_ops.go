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

// maxAttachments is Message::NUMBER_OF_PERMITTED_ATTACHMENTS.
const maxAttachments = 15

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
	voice        bool // is_voice_message: the audio is a voice note
	botID        int  // sender_type AgentBot, sender_id
	internal     bool // made by Chatwoot itself (AddMessage), not by MessageBuilder
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
	// content_attributes may come as an object or, from multipart forms,
	// as JSON text; text that is not a JSON object fails like JSON.parse.
	switch raw := p["content_attributes"].(type) {
	case nil:
	case string:
		if strings.TrimSpace(raw) != "" {
			attrs, isObj := pMap(p, "content_attributes")
			if !isObj {
				return in, errCouldNotCreate("unexpected token at '" + truncate(raw, 40) + "'")
			}
			in.contentAttrs = attrs
		}
	default:
		in.contentAttrs, _ = pMap(p, "content_attributes")
	}
	if at, present := pString(p, "external_created_at"); present && at != "" {
		in.contentAttrs = withAttr(in.contentAttrs, "external_created_at", p["external_created_at"])
	}
	if tp, isObj := pMap(p, "template_params"); isObj {
		in.additional = map[string]any{"template_params": tp}
	}
	in.voice, _ = pBool(p, "is_voice_message")
	if st, _ := pString(p, "sender_type"); st == "AgentBot" && in.typ == msgOutgoing {
		in.botID, _, _ = pInt(p, "sender_id")
	}
	if len(files) > maxAttachments {
		return in, errCouldNotCreate("Validation failed: Attachments exceeded maximum allowed")
	}
	return in, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// withAttr returns a copy of attrs with key set.
func withAttr(attrs map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(attrs)+1)
	for k, x := range attrs {
		out[k] = x
	}
	out[key] = v
	return out
}

// createMessage is MessageBuilder#perform plus the model callbacks the hub
// observes: in_reply_to resolution, last_activity_at, contact activity,
// reopening on incoming, waiting_since / first_reply_created_at, and
// message_created. Called with mu held.
func (s *Sim) createMessage(ob *outbox, cv *conversation, actor *user, in messageInput) (*message, error) {
	ib := s.inboxByID(cv.InboxID)
	if in.typ == msgIncoming && (ib == nil || ib.ChannelType != channelAPI) {
		return nil, errCouldNotCreate("Incoming messages are only allowed in Api inboxes")
	}
	now := s.now()
	m := &message{ID: s.next("message"), AccountID: cv.AccountID, InboxID: cv.InboxID, ConversationID: cv.ID,
		Content: in.content, MessageType: in.typ, ContentType: in.contentType,
		ContentAttributes:    s.resolveInReplyTo(cv, in.contentAttrs),
		AdditionalAttributes: in.additional, Status: "sent", SourceID: in.sourceID, EchoID: in.echoID,
		Private: in.private, CreatedAt: now, UpdatedAt: now}
	// MessageBuilder#sender: outgoing is the AgentBot named by sender_type
	// or the caller; anything else is the conversation's contact. What
	// Chatwoot makes itself (CSAT surveys, automations, an agent in the
	// dashboard via AddMessage) has the acting agent or bot, or no sender.
	switch {
	case in.typ == msgActivity:
	case in.typ == msgIncoming:
		m.SenderType, m.SenderID = "Contact", cv.ContactID
	case in.botID != 0 && s.agentBotFor(cv.AccountID, in.botID) != nil && (in.internal || in.typ == msgOutgoing):
		m.SenderType, m.SenderID = "AgentBot", in.botID
	case in.internal || in.typ == msgOutgoing:
		if actor != nil {
			m.SenderType, m.SenderID = "User", actor.ID
		}
	default: // a template through the API
		m.SenderType, m.SenderID = "Contact", cv.ContactID
	}
	for _, f := range in.files {
		a := &attachment{ID: s.next("attachment"), MessageID: m.ID, AccountID: m.AccountID,
			FileType: fileType(f.ContentType), Filename: f.Filename, ContentType: f.ContentType,
			Key: randomToken(28), Data: f.Data}
		a.DataURL = ob.base + "/rails/active_storage/blobs/redirect/" + a.Key + "/" + url.PathEscape(f.Filename)
		if a.FileType == "audio" {
			a.DataURL += "?disposition=inline" // audio plays inline in the dashboard
			if in.voice {
				a.Meta = map[string]any{"is_voice_message": true}
			}
		}
		m.Attachments = append(m.Attachments, a)
	}
	s.addMessageRow(cv, m)
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

// resolveInReplyTo is Messages::InReplyToMessageBuilder: a quoted
// message named by in_reply_to (its id) or in_reply_to_external_id (its
// source_id) is looked up in the same conversation and both keys are set
// from it, or to null when it is not there.
func (s *Sim) resolveInReplyTo(cv *conversation, attrs map[string]any) map[string]any {
	id, _, _ := pInt(attrs, "in_reply_to")
	ext, _ := pString(attrs, "in_reply_to_external_id")
	if id == 0 && ext == "" {
		return attrs
	}
	var quoted *message
	for _, m := range cv.msgs {
		if (id != 0 && m.ID == id) || (id == 0 && m.SourceID != nil && *m.SourceID == ext) {
			quoted = m
			break
		}
	}
	attrs = withAttr(attrs, "in_reply_to", nil)
	attrs["in_reply_to_external_id"] = nil
	if quoted != nil {
		attrs["in_reply_to"] = quoted.ID
		attrs["in_reply_to_external_id"] = strPtr(quoted.SourceID)
	}
	return attrs
}

// fileType is FileTypeHelper#file_type on the upload's content type as
// the client sent it: image and video only for a short whitelist (so
// image/heic or video/3gpp are plain files), audio for anything naming
// "audio/".
func fileType(contentType string) string {
	switch {
	case slices.Contains([]string{"image/jpeg", "image/jpg", "image/png", "image/gif", "image/bmp", "image/webp"}, contentType):
		return "image"
	case slices.Contains([]string{"video/ogg", "video/mp4", "video/webm", "video/quicktime"}, contentType):
		return "video"
	case strings.Contains(contentType, "audio/"):
		return "audio"
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
	if m := s.idx.msgByID[messageID]; m != nil {
		s.updateMessageStatus(ob, m, "failed", reason)
	}
	s.mu.Unlock()
	select {
	case <-s.closed:
		return // no new deliveries once the sim is closing
	default:
	}
	s.dispatch(ob)
}
