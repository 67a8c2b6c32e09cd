package cwsim

import (
	"net/http"
	"slices"
	"strings"
)

// visibleInboxes is the InboxPolicy scope (User#assigned_inboxes):
// administrators see every inbox of the account, agents only their own.
func (s *Sim) visibleInboxes(accountID int, u *user, admin bool) []*inbox {
	var out []*inbox
	for _, ib := range s.inboxes {
		if ib.AccountID == accountID && (admin || slices.Contains(ib.MemberIDs, u.ID)) {
			out = append(out, ib)
		}
	}
	// Chatwoot orders the list with order_by_name.
	slices.SortStableFunc(out, func(a, b *inbox) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// findInbox loads an inbox of the current account and, when show is set,
// applies InboxPolicy#show? (members and administrators only).
func (c *call) findInbox(param string, show bool) (*inbox, error) {
	id, err := c.pathID(param)
	if err != nil {
		return nil, err
	}
	ib := c.s.inboxIn(c.acct.ID, id)
	if ib == nil {
		return nil, errNotFound()
	}
	if show && !c.admin() && !slices.Contains(ib.MemberIDs, c.user.ID) {
		return nil, errNotAuthorized()
	}
	return ib, nil
}

func (s *Sim) routeInboxes(c *call) reply {
	list := []map[string]any{}
	for _, ib := range s.visibleInboxes(c.acct.ID, c.user, c.admin()) {
		list = append(list, s.inboxJSON(ib, c.admin()))
	}
	return ok(map[string]any{"payload": list})
}

func (s *Sim) routeInbox(c *call) reply {
	ib, err := c.findInbox("id", true)
	if err != nil {
		return fromErr(err)
	}
	return ok(s.inboxJSON(ib, c.admin()))
}

func (s *Sim) routeCreateInbox(c *call) reply {
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	ib, err := s.createInbox(c.out, c.acct.ID, c.body)
	if err != nil {
		return fromErr(err)
	}
	return ok(s.inboxJSON(ib, true))
}

func (s *Sim) routeUpdateInbox(c *call) reply {
	ib, err := c.findInbox("id", false)
	if err != nil {
		return fromErr(err)
	}
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	if err := s.updateInbox(c.out, ib, c.body); err != nil {
		return fromErr(err)
	}
	return ok(s.inboxJSON(ib, true))
}

// routeResetSecret is POST …/inboxes/{id}/reset_secret (4.13+, not in swagger).
func (s *Sim) routeResetSecret(c *call) reply {
	if !s.ver.inboxSecrets() {
		return fromErr(errRails(http.StatusNotFound)) // no such route before 4.13
	}
	ib, err := c.findInbox("id", false)
	if err != nil {
		return fromErr(err)
	}
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	if ib.ChannelType != channelAPI {
		return fromErr(errCouldNotCreate("Secret reset is only supported for API inboxes"))
	}
	ib.Secret, ib.UpdatedAt = randomToken(24), s.now()
	return ok(s.inboxJSON(ib, true))
}

// routeDeleteInbox answers like 4.x: the deletion is a background job, the
// response is a message. The sim deletes at once, with its dependents.
func (s *Sim) routeDeleteInbox(c *call) reply {
	ib, err := c.findInbox("id", false)
	if err != nil {
		return fromErr(err)
	}
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	s.deleteInbox(ib)
	return ok(map[string]any{"message": "Your inbox deletion request will be processed in some time."})
}

func (s *Sim) deleteInbox(ib *inbox) { s.removeInboxRow(ib) }

// members renders the agents of an inbox, ordered by user id.
func (s *Sim) members(ib *inbox) []map[string]any {
	ids := slices.Clone(ib.MemberIDs)
	slices.Sort(ids)
	out := []map[string]any{}
	for _, id := range ids {
		if u := s.userByID(id); u != nil && u.member(ib.AccountID) != nil {
			out = append(out, agentJSON(u, ib.AccountID))
		}
	}
	return out
}

func (s *Sim) routeInboxMembers(c *call) reply {
	ib, err := c.findInbox("inbox_id", true)
	if err != nil {
		return fromErr(err)
	}
	return ok(map[string]any{"payload": s.members(ib)})
}

// routeChangeInboxMembers serves POST (add), PATCH (replace) and DELETE
// (remove) on …/inbox_members; all take {inbox_id, user_ids}.
func (s *Sim) routeChangeInboxMembers(c *call) reply {
	id, _, err := pInt(c.body, "inbox_id")
	if err != nil || id <= 0 {
		return fromErr(errNotFound())
	}
	ib := s.inboxIn(c.acct.ID, id)
	if ib == nil {
		return fromErr(errNotFound())
	}
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	ids, _ := pIntList(c.body, "user_ids")
	if c.r.Method == "DELETE" {
		ib.MemberIDs = slices.DeleteFunc(ib.MemberIDs, func(m int) bool { return slices.Contains(ids, m) })
		return reply{status: 200}
	}
	for _, uid := range ids {
		if u := s.userByID(uid); u == nil || u.member(c.acct.ID) == nil {
			return fromErr(errRecordInvalid("User must exist", "user"))
		}
	}
	if c.r.Method == "PATCH" {
		ib.MemberIDs = nil
	}
	for _, uid := range ids {
		if !slices.Contains(ib.MemberIDs, uid) {
			ib.MemberIDs = append(ib.MemberIDs, uid)
		}
	}
	return ok(map[string]any{"payload": s.members(ib)})
}
