package cwsim

import (
	"path"
	"strings"
)

// conversationJSON is app/views/api/v1/conversations/partials/_conversation.json.jbuilder.
func (s *Sim) conversationJSON(cv *conversation) map[string]any {
	meta := map[string]any{"channel": nil, "hmac_verified": false}
	if ct := s.contactByID(cv.ContactID); ct != nil {
		meta["sender"] = s.contactJSON(ct, false)
	}
	if ib := s.inboxByID(cv.InboxID); ib != nil {
		meta["channel"] = ib.ChannelType
	}
	if ci := s.contactInboxByID(cv.ContactInboxID); ci != nil {
		meta["hmac_verified"] = ci.HMACVerified
	}
	if cv.AssigneeID != nil {
		if u := s.userByID(*cv.AssigneeID); u != nil && u.member(cv.AccountID) != nil {
			meta["assignee"] = agentJSON(u, cv.AccountID)
			meta["assignee_type"] = "User"
		}
	}
	msgs := s.conversationMessages(cv)
	last := []map[string]any{}
	if len(msgs) > 0 {
		last = append(last, s.messagePushJSON(msgs[len(msgs)-1]))
	}
	var lastNonActivity any
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].MessageType != msgActivity {
			lastNonActivity = s.messagePushJSON(msgs[i])
			break
		}
	}
	return map[string]any{
		"meta": meta, "id": cv.DisplayID, "messages": last, "account_id": cv.AccountID, "uuid": cv.UUID,
		"additional_attributes": orEmpty(cv.AdditionalAttributes), "agent_last_seen_at": unixPtr(cv.AgentLastSeenAt),
		"assignee_last_seen_at": unixPtr(cv.AssigneeLastSeenAt), "can_reply": true,
		"contact_last_seen_at": unixPtr(cv.ContactLastSeenAt), "custom_attributes": orEmpty(cv.CustomAttributes),
		"inbox_id": cv.InboxID, "labels": orEmptyList(cv.Labels), "muted": false,
		"snoozed_until": rubyTimePtr(cv.SnoozedUntil), "status": cv.Status, "created_at": cv.CreatedAt.Unix(),
		"updated_at": floatTime(cv.UpdatedAt), "timestamp": cv.LastActivityAt.Unix(),
		"first_reply_created_at": unixPtr(cv.FirstReplyCreatedAt), "unread_count": s.unreadCount(cv),
		"last_non_activity_message": lastNonActivity, "last_activity_at": cv.LastActivityAt.Unix(),
		"priority": strPtr(cv.Priority), "waiting_since": unixPtr(cv.WaitingSince), "sla_policy_id": nil,
	}
}

// conversationEventJSON is Conversation#webhook_data
// (Conversations::EventDataPresenter#push_data plus, from 4.14.2, the account).
func (s *Sim) conversationEventJSON(cv *conversation) map[string]any {
	meta := map[string]any{"sender": nil, "assignee": nil, "assignee_type": nil, "team": nil, "hmac_verified": false}
	if ct := s.contactByID(cv.ContactID); ct != nil {
		meta["sender"] = contactPushJSON(ct)
	}
	ci := s.contactInboxByID(cv.ContactInboxID)
	if ci != nil {
		meta["hmac_verified"] = ci.HMACVerified
	}
	if cv.AssigneeID != nil {
		if u := s.userByID(*cv.AssigneeID); u != nil {
			meta["assignee"], meta["assignee_type"] = userPushJSON(u), "User"
		}
	}
	channel := any(nil)
	if ib := s.inboxByID(cv.InboxID); ib != nil {
		channel = ib.ChannelType
	}
	pushed := []map[string]any{}
	msgs := s.conversationMessages(cv)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].MessageType != msgActivity && !msgs[i].Private {
			pushed = append(pushed, s.webhookPushJSON(msgs[i]))
			break
		}
	}
	out := map[string]any{
		"additional_attributes": orEmpty(cv.AdditionalAttributes), "can_reply": true, "channel": channel,
		"contact_inbox": contactInboxRecordJSON(ci), "id": cv.DisplayID, "inbox_id": cv.InboxID,
		"messages": pushed, "labels": orEmptyList(cv.Labels), "meta": meta, "status": cv.Status,
		"custom_attributes": orEmpty(cv.CustomAttributes), "snoozed_until": rubyTimePtr(cv.SnoozedUntil),
		"unread_count": s.unreadCount(cv), "first_reply_created_at": rubyTimePtr(cv.FirstReplyCreatedAt),
		"priority": strPtr(cv.Priority), "waiting_since": unixPtr(cv.WaitingSince),
		"agent_last_seen_at": unixPtr(cv.AgentLastSeenAt), "contact_last_seen_at": unixPtr(cv.ContactLastSeenAt),
		"last_activity_at": cv.LastActivityAt.Unix(), "timestamp": cv.LastActivityAt.Unix(),
		"created_at": cv.CreatedAt.Unix(), "updated_at": floatTime(cv.UpdatedAt),
	}
	if s.ver.conversationAccount() {
		out["account"] = s.accountWebhookJSON(cv.AccountID)
	}
	return out
}

// attachmentJSON is Attachment#push_event_data; audio adds its
// transcription and voice notes carry meta.is_voice_message.
func attachmentJSON(a *attachment) map[string]any {
	thumb := ""
	if a.FileType == "image" {
		thumb = a.DataURL
	}
	out := map[string]any{
		"id": a.ID, "message_id": a.MessageID, "file_type": a.FileType, "account_id": a.AccountID,
		"extension": strings.TrimPrefix(path.Ext(a.Filename), "."), "content_type": a.ContentType,
		"data_url": a.DataURL, "thumb_url": thumb, "file_size": len(a.Data), "width": nil, "height": nil,
	}
	if a.FileType == "audio" {
		out["transcribed_text"] = "" // no transcription in the simulator
	}
	if len(a.Meta) > 0 {
		out["meta"] = a.Meta
	}
	return out
}

func orEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
