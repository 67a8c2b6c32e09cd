package cwsim

import (
	"net/http"
	"strings"
)

// deletedContent is I18n conversations.messages.deleted.
const deletedContent = "This message was deleted"

func (s *Sim) routeCreateMessage(c *call) reply {
	cv, err := c.findConversation()
	if err != nil {
		return fromErr(err)
	}
	files, _ := c.body[filesKey].([]upload)
	in, err := parseMessageInput(c.body, files)
	if err != nil {
		return fromErr(err)
	}
	m, err := s.createMessage(c.out, cv, c.user, in)
	if err != nil {
		return fromErr(err)
	}
	return ok(s.messageJSON(m))
}

// findMessage loads a message of the conversation in the path.
func (c *call) findMessage() (*conversation, *message, error) {
	cv, err := c.findConversation()
	if err != nil {
		return nil, nil, err
	}
	id, err := c.pathID("message_id")
	if err != nil {
		return nil, nil, err
	}
	m := c.s.idx.msgByID[id]
	if m == nil || m.ConversationID != cv.ID {
		return nil, nil, errNotFound()
	}
	return cv, m, nil
}

// routeUpdateMessage is PATCH (or PUT) …/messages/{id}, the API-inbox
// status update (4.2+, not in swagger): Messages::StatusUpdateService.
func (s *Sim) routeUpdateMessage(c *call) reply {
	cv, err := c.findConversation()
	if err != nil {
		return fromErr(err)
	}
	if ib := s.inboxByID(cv.InboxID); ib == nil || ib.ChannelType != channelAPI {
		return reply{status: http.StatusForbidden, body: map[string]any{"error": "Message status update is only allowed for API inboxes"}}
	}
	_, m, err := c.findMessage()
	if err != nil {
		return fromErr(err)
	}
	status, _ := pString(c.body, "status")
	extErr, _ := pString(c.body, "external_error")
	s.updateMessageStatus(c.out, m, strings.TrimSpace(status), extErr)
	return ok(s.messageJSON(m))
}

// routeDeleteMessage is MessagesController#destroy: the content becomes
// "This message was deleted", content_attributes {deleted: true}, the
// attachments go, and message_updated tells the inbox.
func (s *Sim) routeDeleteMessage(c *call) reply {
	_, m, err := c.findMessage()
	if err != nil {
		return fromErr(err)
	}
	s.deleteMessage(c.out, m)
	return ok(s.messageJSON(m))
}

// deleteMessage is the destroy transaction. Called with mu held.
func (s *Sim) deleteMessage(ob *outbox, m *message) {
	deleted := deletedContent
	attrs := map[string]any{"deleted": true}
	if m.Content != nil && *m.Content == deleted && m.ContentType == "text" && jsonEqual(m.ContentAttributes, attrs) && len(m.Attachments) == 0 {
		return // nothing changes, so update! emits nothing
	}
	s.removeMessageFiles(m)
	m.Content, m.ContentType, m.ContentAttributes, m.UpdatedAt = &deleted, "text", attrs, s.now()
	if m.MessageType != msgActivity {
		s.emit(ob, m.AccountID, s.inboxByID(m.InboxID), "message_updated", s.messageWebhookJSON(m))
	}
}

// routeRetryMessage is MessagesController#retry: the status goes back to
// sent with external_error cleared, then content_attributes are emptied;
// each change is its own message_updated. SendReplyJob does nothing for
// an API inbox: the hub learns of the retry from those events.
func (s *Sim) routeRetryMessage(c *call) reply {
	_, m, err := c.findMessage()
	if err != nil {
		return fromErr(err)
	}
	s.retryMessage(c.out, m)
	return ok(s.messageJSON(m))
}

// retryMessage is the retry action's two updates. Called with mu held.
func (s *Sim) retryMessage(ob *outbox, m *message) {
	s.updateMessageStatus(ob, m, "sent", "")
	if len(m.ContentAttributes) == 0 {
		return
	}
	m.ContentAttributes, m.UpdatedAt = map[string]any{}, s.now()
	if m.MessageType != msgActivity {
		s.emit(ob, m.AccountID, s.inboxByID(m.InboxID), "message_updated", s.messageWebhookJSON(m))
	}
}
