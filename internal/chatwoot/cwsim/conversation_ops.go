package cwsim

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

var conversationStatuses = []string{"open", "resolved", "pending", "snoozed"}

// conversationInput is what ConversationBuilder reads.
type conversationInput struct {
	inboxID, contactID int
	sourceID           string
	status             string
	assigneeID         *int
	additional, custom map[string]any
	message            map[string]any
}

// createConversation is ConversationsController#create with
// ConversationBuilder: an inbox with lock_to_single_conversation returns
// the contact's last conversation instead of a new one. Called with mu held.
func (s *Sim) createConversation(ob *outbox, acct *account, actor *user, admin bool, in conversationInput) (*conversation, error) {
	ci, err := s.resolveContactInbox(acct, actor, admin, in)
	if err != nil {
		return nil, err
	}
	if in.status != "" && !slices.Contains(conversationStatuses, in.status) {
		return nil, errRails(http.StatusInternalServerError) // ArgumentError from the enum
	}
	ib := s.inboxByID(ci.InboxID)
	var cv *conversation
	if ib.LockToSingleConversation {
		if list := s.idx.convByCI[ci.ID]; len(list) > 0 {
			cv = list[len(list)-1]
		}
	}
	created := cv == nil
	if created {
		s.storeContactInbox(ci)
		now := s.now()
		cv = &conversation{ID: s.next("conversation"), DisplayID: s.next("display:" + strconv.Itoa(acct.ID)),
			AccountID: acct.ID, InboxID: ib.ID, ContactID: ci.ContactID, ContactInboxID: ci.ID, UUID: uuidV4(),
			Status: "open", AdditionalAttributes: in.additional, CustomAttributes: in.custom,
			LastActivityAt: now, CreatedAt: now, UpdatedAt: now}
		if in.status != "" {
			cv.Status = in.status
		}
		if in.assigneeID != nil {
			if u := s.userByID(*in.assigneeID); u != nil && u.member(acct.ID) != nil {
				id := u.ID
				cv.AssigneeID = &id
			}
		}
		s.addConversationRow(cv)
	}
	var deferred outbox // message events go after conversation_created
	if in.message != nil {
		msgIn, err := parseMessageInput(in.message, nil)
		if err == nil {
			_, err = s.createMessage(&deferred, cv, actor, msgIn)
		}
		if err != nil { // the transaction rolls back
			if created {
				s.removeConversationRow(cv)
			}
			return nil, err
		}
	}
	if created {
		s.emit(ob, acct.ID, ib, "conversation_created", s.conversationEventJSON(cv))
	}
	ob.items = append(ob.items, deferred.items...)
	return cv, nil
}

// resolveContactInbox builds or finds the contact_inbox. With inbox_id and
// contact_id it runs ContactInboxBuilder; otherwise it falls back to a
// global lookup by source_id, as Chatwoot does.
func (s *Sim) resolveContactInbox(acct *account, actor *user, admin bool, in conversationInput) (*contactInbox, error) {
	var ci *contactInbox
	if in.inboxID != 0 && in.contactID != 0 {
		ct := s.contactIn(acct.ID, in.contactID)
		ib := s.inboxIn(acct.ID, in.inboxID)
		if ct == nil || ib == nil {
			return nil, errNotFound()
		}
		var err error
		if ci, err = s.contactInboxFor(ct, ib, in.sourceID); err != nil {
			return nil, errCouldNotCreate("source_id should be unique")
		}
	} else {
		for _, cand := range s.contactInboxes {
			if in.sourceID != "" && cand.SourceID == in.sourceID {
				ci = cand
				break
			}
		}
		if ci == nil {
			return nil, errNotFound()
		}
	}
	ib := s.inboxByID(ci.InboxID)
	if ib == nil || ib.AccountID != acct.ID || (!admin && !slices.Contains(ib.MemberIDs, actor.ID)) {
		return nil, errNotAuthorized()
	}
	return ci, nil
}

// changeConversation applies mutate and, when a tracked attribute changed,
// emits conversation_status_changed (status only) and conversation_updated
// with changed_attributes, and records the status activity message.
// Called with mu held.
func (s *Sim) changeConversation(ob *outbox, cv *conversation, actor *user, mutate func(*conversation)) {
	before := *cv
	mutate(cv)
	if cv.Status != "snoozed" {
		cv.SnoozedUntil = nil // ensure_snooze_until_reset
	}
	var changes []map[string]any
	add := func(k string, x, y any) {
		if !jsonEqual(x, y) {
			changes = append(changes, change(k, x, y))
		}
	}
	add("status", before.Status, cv.Status)
	add("snoozed_until", rubyTimePtr(before.SnoozedUntil), rubyTimePtr(cv.SnoozedUntil))
	add("assignee_id", intPtr(before.AssigneeID), intPtr(cv.AssigneeID))
	add("waiting_since", rubyTimePtr(before.WaitingSince), rubyTimePtr(cv.WaitingSince))
	add("first_reply_created_at", rubyTimePtr(before.FirstReplyCreatedAt), rubyTimePtr(cv.FirstReplyCreatedAt))
	if len(changes) == 0 {
		return
	}
	cv.UpdatedAt = s.now()
	changes = append(changes, change("updated_at", rubyTime(before.UpdatedAt), rubyTime(cv.UpdatedAt)))
	ib := s.inboxByID(cv.InboxID)
	if before.Status != cv.Status {
		ev := s.conversationEventJSON(cv)
		ev["changed_attributes"] = changes
		s.emit(ob, cv.AccountID, ib, "conversation_status_changed", ev)
		if actor != nil {
			s.addActivity(cv, statusActivity(cv.Status, actor.Name))
		}
	}
	ev := s.conversationEventJSON(cv)
	ev["changed_attributes"] = changes
	s.emit(ob, cv.AccountID, ib, "conversation_updated", ev)
}

func statusActivity(status, name string) string {
	switch status {
	case "resolved":
		return "Conversation was marked resolved by " + name
	case "pending":
		return "Conversation was marked as pending by " + name
	case "snoozed":
		return "Conversation was snoozed by " + name
	}
	return "Conversation was reopened by " + name
}

// addActivity stores an activity message; activity messages never reach webhooks.
func (s *Sim) addActivity(cv *conversation, content string) {
	now := s.now()
	s.addMessageRow(cv, &message{ID: s.next("message"), AccountID: cv.AccountID, InboxID: cv.InboxID,
		ConversationID: cv.ID, Content: &content, MessageType: msgActivity, ContentType: "text",
		Status: "sent", CreatedAt: now, UpdatedAt: now})
}

// toggleStatus is ConversationsController#toggle_status. Called with mu held.
func (s *Sim) toggleStatus(ob *outbox, cv *conversation, actor *user, p map[string]any) error {
	status, _ := pString(p, "status")
	if status != "" && !slices.Contains(conversationStatuses, status) {
		return errRails(http.StatusInternalServerError) // ArgumentError from the enum
	}
	var until *time.Time
	if secs, present, err := pInt(p, "snoozed_until"); present && err == nil {
		t := time.Unix(int64(secs), 0).UTC()
		until = &t
	}
	s.changeConversation(ob, cv, actor, func(cv *conversation) {
		switch {
		case status != "":
			cv.Status = status
			if until != nil {
				cv.SnoozedUntil = until
			}
		case cv.Status == "open":
			cv.Status = "resolved"
		default:
			cv.Status = "open"
		}
	})
	return nil
}

// assign is Conversation#update_assignee by the agent themselves, with the
// self-assignment activity. Called with mu held.
func (s *Sim) assign(ob *outbox, cv *conversation, u *user) {
	if cv.AssigneeID != nil && *cv.AssigneeID == u.ID {
		return
	}
	id := u.ID
	s.changeConversation(ob, cv, nil, func(cv *conversation) { cv.AssigneeID = &id })
	s.addActivity(cv, u.Name+" self-assigned this conversation")
}

func intPtr(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
