package cwsim

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

const contactsPerPage = 15 // ContactsController::RESULTS_PER_PAGE

// listContacts renders {meta:{count,current_page}, payload:[…]}; current_page
// echoes the raw page param (a string) or 1, as Rails does.
func (s *Sim) listContacts(c *call, all []*contact) reply {
	page, pageRaw := 1, any(1)
	if v := c.r.URL.Query().Get("page"); v != "" {
		pageRaw = v
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			page = n
		}
	}
	sortContacts(all, c.r.URL.Query().Get("sort"))
	withInboxes := c.r.URL.Query().Get("include_contact_inboxes") != "false"
	payload := []map[string]any{}
	for i := (page - 1) * contactsPerPage; i >= 0 && i < len(all) && i < page*contactsPerPage; i++ {
		payload = append(payload, s.contactJSON(all[i], withInboxes))
	}
	meta := map[string]any{"count": len(all), "current_page": pageRaw}
	return ok(map[string]any{"meta": meta, "payload": payload})
}

func sortContacts(list []*contact, key string) {
	desc := strings.HasPrefix(key, "-")
	field := func(ct *contact) string {
		switch strings.TrimPrefix(key, "-") {
		case "name":
			return strings.ToLower(ct.Name)
		case "email":
			return deref(ct.Email)
		case "phone_number":
			return deref(ct.PhoneNumber)
		case "last_activity_at":
			if ct.LastActivityAt == nil {
				return ""
			}
			return rubyTime(*ct.LastActivityAt)
		}
		return ""
	}
	slices.SortStableFunc(list, func(a, b *contact) int {
		r := strings.Compare(field(a), field(b))
		if r == 0 {
			r = a.ID - b.ID
		}
		if desc {
			return -r
		}
		return r
	})
}

func (s *Sim) accountContacts(accountID int, keep func(*contact) bool) []*contact {
	var out []*contact
	for _, ct := range s.contacts {
		if ct.AccountID == accountID && (keep == nil || keep(ct)) {
			out = append(out, ct)
		}
	}
	return out
}

// routeContacts lists only "resolved" contacts (email, phone or identifier).
func (s *Sim) routeContacts(c *call) reply {
	return s.listContacts(c, s.accountContacts(c.acct.ID, func(ct *contact) bool {
		return ct.Email != nil || ct.PhoneNumber != nil || ct.Identifier != nil
	}))
}

func (s *Sim) routeSearchContacts(c *call) reply {
	q := strings.ToLower(c.r.URL.Query().Get("q"))
	if q == "" {
		return fromErr(errCouldNotCreate("Specify search string with parameter q"))
	}
	rep := s.listContacts(c, s.accountContacts(c.acct.ID, func(ct *contact) bool {
		for _, v := range []string{ct.Name, deref(ct.Email), deref(ct.PhoneNumber), deref(ct.Identifier)} {
			if strings.Contains(strings.ToLower(v), q) {
				return true
			}
		}
		return false
	}))
	body := rep.body.(map[string]any)
	meta := body["meta"].(map[string]any)
	meta["has_more"] = len(body["payload"].([]map[string]any)) == contactsPerPage
	return rep
}

func (c *call) findContact() (*contact, error) {
	id, err := c.pathID("id")
	if err != nil {
		return nil, err
	}
	ct := c.s.contactIn(c.acct.ID, id)
	if ct == nil {
		return nil, errNotFound()
	}
	return ct, nil
}

func (s *Sim) routeContact(c *call) reply {
	ct, err := c.findContact()
	if err != nil {
		return fromErr(err)
	}
	return ok(map[string]any{"payload": s.contactJSON(ct, true)})
}

func (s *Sim) routeCreateContact(c *call) reply {
	ct, ci, err := s.createContact(c.out, c.acct.ID, c.body)
	if err != nil {
		return fromErr(err)
	}
	ciJSON := map[string]any{"inbox": nil, "source_id": nil}
	if ci != nil {
		ciJSON = map[string]any{"inbox": inboxRecordJSON(s.inboxByID(ci.InboxID)), "source_id": ci.SourceID}
	}
	return ok(map[string]any{"payload": map[string]any{"contact": s.contactJSON(ct, true), "contact_inbox": ciJSON}})
}

// routeUpdateContact answers 200 {payload: contact} (swagger says 204).
func (s *Sim) routeUpdateContact(c *call) reply {
	ct, err := c.findContact()
	if err != nil {
		return fromErr(err)
	}
	if err := s.updateContact(c.out, ct, c.body); err != nil {
		return fromErr(err)
	}
	return ok(map[string]any{"payload": s.contactJSON(ct, true)})
}

// routeCreateContactInbox is POST …/contacts/{id}/contact_inboxes.
func (s *Sim) routeCreateContactInbox(c *call) reply {
	ct, err := c.findContact()
	if err != nil {
		return fromErr(err)
	}
	inboxID, _, err := pInt(c.body, "inbox_id")
	ib := s.inboxIn(c.acct.ID, inboxID)
	if err != nil || ib == nil {
		return fromErr(errNotFound())
	}
	source, _ := pString(c.body, "source_id")
	ci, err := s.contactInboxFor(ct, ib, source)
	if err != nil {
		return fromErr(err)
	}
	s.storeContactInbox(ci)
	return ok(map[string]any{"source_id": ci.SourceID, "inbox": inboxSlimJSON(ib)})
}

// routeFilterContactInboxes is POST …/contact_inboxes/filter: the contact
// owning (inbox_id, source_id), or an empty 404 (head :not_found).
func (s *Sim) routeFilterContactInboxes(c *call) reply {
	inboxID, _, err := pInt(c.body, "inbox_id")
	ib := s.inboxIn(c.acct.ID, inboxID)
	if err != nil || ib == nil {
		return fromErr(errNotFound())
	}
	if !c.admin() && !slices.Contains(ib.MemberIDs, c.user.ID) {
		return fromErr(errNotAuthorized())
	}
	source, _ := pString(c.body, "source_id")
	if ci := s.idx.ciBySource[ciKey{ib.ID, source}]; ci != nil {
		if ct := s.contactIn(c.acct.ID, ci.ContactID); ct != nil {
			return ok(s.contactJSON(ct, true))
		}
	}
	return reply{status: 404}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// jsonEqual compares values as their JSON; comparable scalars (strings,
// numbers, booleans, nil) are compared directly, which the per-message
// paths need to stay cheap.
func jsonEqual(a, b any) bool {
	switch a.(type) {
	case nil, string, bool, int, int64, float64:
		switch b.(type) {
		case nil, string, bool, int, int64, float64:
			return a == b
		}
	}
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
