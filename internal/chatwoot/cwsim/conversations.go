package cwsim

import (
	"net/http"
	"slices"
	"strconv"
)

const conversationsPerPage = 25

// findConversation loads by display id and applies the inbox access check
// Chatwoot runs before every conversation action.
func (c *call) findConversation() (*conversation, error) {
	id, err := c.pathID("conversation_id")
	if err != nil {
		return nil, err
	}
	cv := c.s.conversationByDisplay(c.acct.ID, id)
	if cv == nil {
		return nil, errNotFound()
	}
	if !c.canSeeInbox(cv.InboxID) {
		return nil, errNotAuthorized()
	}
	return cv, nil
}

func (c *call) canSeeInbox(inboxID int) bool {
	if c.admin() {
		return true
	}
	ib := c.s.inboxByID(inboxID)
	return ib != nil && slices.Contains(ib.MemberIDs, c.user.ID)
}

// routeConversations is ConversationsController#index with ConversationFinder:
// status defaults to open, assignee_type filters the payload, the counts
// cover every assignee type, 25 per page, latest activity first.
func (s *Sim) routeConversations(c *call) reply {
	q := c.r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = "open"
	}
	inboxID, _ := strconv.Atoi(q.Get("inbox_id"))
	var base []*conversation
	for _, cv := range s.conversations {
		if cv.AccountID != c.acct.ID || !c.canSeeInbox(cv.InboxID) ||
			(status != "all" && cv.Status != status) || (inboxID != 0 && cv.InboxID != inboxID) {
			continue
		}
		base = append(base, cv)
	}
	mine := func(cv *conversation) bool { return cv.AssigneeID != nil && *cv.AssigneeID == c.user.ID }
	assigned := func(cv *conversation) bool { return cv.AssigneeID != nil }
	counts := map[string]int{"mine_count": 0, "assigned_count": 0, "unassigned_count": 0, "all_count": len(base)}
	var list []*conversation
	for _, cv := range base {
		if mine(cv) {
			counts["mine_count"]++
		}
		if assigned(cv) {
			counts["assigned_count"]++
		} else {
			counts["unassigned_count"]++
		}
		switch q.Get("assignee_type") {
		case "me":
			if !mine(cv) {
				continue
			}
		case "assigned":
			if !assigned(cv) {
				continue
			}
		case "unassigned":
			if assigned(cv) {
				continue
			}
		}
		list = append(list, cv)
	}
	slices.SortStableFunc(list, func(a, b *conversation) int { return b.LastActivityAt.Compare(a.LastActivityAt) })
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	payload := []map[string]any{}
	for i := (page - 1) * conversationsPerPage; i < len(list) && i < page*conversationsPerPage; i++ {
		payload = append(payload, s.conversationJSON(list[i]))
	}
	return ok(map[string]any{"data": map[string]any{"meta": counts, "payload": payload}})
}

func (s *Sim) routeConversation(c *call) reply {
	cv, err := c.findConversation()
	if err != nil {
		return fromErr(err)
	}
	return ok(s.conversationJSON(cv))
}

func (s *Sim) routeCreateConversation(c *call) reply {
	in := conversationInput{}
	var err error
	if in.inboxID, _, err = pInt(c.body, "inbox_id"); err != nil {
		return fromErr(errNotFound())
	}
	if in.contactID, _, err = pInt(c.body, "contact_id"); err != nil {
		return fromErr(errNotFound())
	}
	in.sourceID, _ = pString(c.body, "source_id")
	in.status, _ = pString(c.body, "status")
	if id, present, err := pInt(c.body, "assignee_id"); present && err == nil {
		in.assigneeID = &id
	}
	in.additional, _ = pMap(c.body, "additional_attributes")
	in.custom, _ = pMap(c.body, "custom_attributes")
	in.message, _ = pMap(c.body, "message")
	cv, err := s.createConversation(c.out, c.acct, c.user, c.admin(), in)
	if err != nil {
		return fromErr(err)
	}
	return ok(s.conversationJSON(cv))
}

func (s *Sim) routeToggleStatus(c *call) reply {
	cv, err := c.findConversation()
	if err != nil {
		return fromErr(err)
	}
	if err := s.toggleStatus(c.out, cv, c.user, c.body); err != nil {
		return fromErr(err)
	}
	// should_assign_conversation?: an agent (not an administrator) who
	// leaves the conversation open takes it.
	if cv.Status == "open" && c.role == RoleAgent {
		s.assign(c.out, cv, c.user)
	}
	return ok(map[string]any{"meta": map[string]any{}, "payload": map[string]any{
		"success": true, "conversation_id": cv.DisplayID, "current_status": cv.Status,
		"snoozed_until": rubyTimePtr(cv.SnoozedUntil)}})
}

// routeMessages is MessagesController#index with MessageFinder: the last 20,
// or 20 before ?before=, or up to 100 after ?after=, oldest first.
func (s *Sim) routeMessages(c *call) reply {
	cv, err := c.findConversation()
	if err != nil {
		return fromErr(err)
	}
	all := s.conversationMessages(cv)
	q := c.r.URL.Query()
	var list []*message
	if after, err := strconv.Atoi(q.Get("after")); err == nil {
		for _, m := range all {
			if m.ID > after && len(list) < 100 {
				list = append(list, m)
			}
		}
	} else {
		if before, err := strconv.Atoi(q.Get("before")); err == nil {
			all = slices.DeleteFunc(slices.Clone(all), func(m *message) bool { return m.ID >= before })
		}
		list = all[max(0, len(all)-20):]
	}
	payload := []map[string]any{}
	for _, m := range list {
		payload = append(payload, s.messageJSON(m))
	}
	meta := map[string]any{"labels": orEmptyList(cv.Labels), "additional_attributes": orEmpty(cv.AdditionalAttributes),
		"contact": nil, "assignee": nil, "agent_last_seen_at": rubyTimePtr(cv.AgentLastSeenAt),
		"assignee_last_seen_at": rubyTimePtr(cv.AssigneeLastSeenAt)}
	if ct := s.contactByID(cv.ContactID); ct != nil {
		meta["contact"] = contactPushJSON(ct)
	}
	if cv.AssigneeID != nil {
		if u := s.userByID(*cv.AssigneeID); u != nil {
			meta["assignee"] = agentJSON(u, cv.AccountID)
		}
	}
	return ok(map[string]any{"meta": meta, "payload": payload})
}

// routeCustomAttributes is ConversationsController#custom_attributes:
// the whole custom_attributes object is replaced by the one sent
// (update!(custom_attributes: …)), and conversation_updated fires when it
// changed.
func (s *Sim) routeCustomAttributes(c *call) reply {
	cv, err := c.findConversation()
	if err != nil {
		return fromErr(err)
	}
	attrs, present := pMap(c.body, "custom_attributes")
	if !present {
		return reply{status: http.StatusBadRequest, body: map[string]any{"error": "param is missing or the value is empty: custom_attributes"}}
	}
	if !jsonEqual(orEmpty(cv.CustomAttributes), attrs) {
		before := orEmpty(cv.CustomAttributes)
		cv.CustomAttributes = attrs
		cv.UpdatedAt = s.now()
		ev := s.conversationEventJSON(cv)
		ev["changed_attributes"] = []map[string]any{change("custom_attributes", before, attrs)}
		s.emit(c.out, cv.AccountID, s.inboxByID(cv.InboxID), "conversation_updated", ev)
	}
	return ok(map[string]any{"custom_attributes": orEmpty(cv.CustomAttributes)})
}
