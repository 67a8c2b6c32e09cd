package cwsim

import "slices"

// routeContactMerge is POST …/actions/contact_merge (ContactMergeAction):
// the mergee's conversations, messages and contact inboxes move to the
// base contact, the base's own identifier, name, email, phone and
// attributes win over the mergee's (which only fill blanks), the mergee is
// destroyed, and the base contact is answered. Moving rows runs
// update_all, so only contact_updated (for the base) reaches webhooks.
func (s *Sim) routeContactMerge(c *call) reply {
	baseID, _, err1 := pInt(c.body, "base_contact_id")
	mergeeID, _, err2 := pInt(c.body, "mergee_contact_id")
	base, mergee := s.contactIn(c.acct.ID, baseID), s.contactIn(c.acct.ID, mergeeID)
	if err1 != nil || err2 != nil || base == nil || mergee == nil {
		return fromErr(errNotFound())
	}
	if err := s.mergeContacts(c.out, base, mergee); err != nil {
		return fromErr(err)
	}
	return ok(s.contactJSON(base, false))
}

// mergeContacts is ContactMergeAction#perform. Called with mu held.
func (s *Sim) mergeContacts(ob *outbox, base, mergee *contact) error {
	if base == mergee {
		return nil
	}
	for _, cv := range s.conversations {
		if cv.ContactID == mergee.ID {
			cv.ContactID = base.ID
		}
		for _, m := range cv.msgs {
			if m.SenderType == "Contact" && m.SenderID == mergee.ID {
				m.SenderID = base.ID
			}
		}
	}
	for _, ci := range slices.Clone(s.idx.ciByContact[mergee.ID]) {
		ci.ContactID = base.ID
		s.idx.ciByContact[base.ID] = append(s.idx.ciByContact[base.ID], ci)
	}
	delete(s.idx.ciByContact, mergee.ID)

	before := *base
	blank := func(p *string) bool { return p == nil || *p == "" }
	if blank(base.Identifier) {
		base.Identifier = mergee.Identifier
	}
	if base.Name == "" {
		base.Name = mergee.Name
	}
	if blank(base.Email) {
		base.Email = mergee.Email
	}
	if blank(base.PhoneNumber) {
		base.PhoneNumber = mergee.PhoneNumber
	}
	base.AdditionalAttributes = deepMerge(mergee.AdditionalAttributes, base.AdditionalAttributes)
	base.CustomAttributes = deepMerge(mergee.CustomAttributes, base.CustomAttributes)
	// The mergee is destroyed first, so its phone or email is free to move.
	s.contacts = slices.DeleteFunc(s.contacts, func(x *contact) bool { return x == mergee })
	delete(s.idx.contactByID, mergee.ID)
	s.contactChanged(ob, &before, base)
	return nil
}

// deepMerge is Hash#deep_merge(over): over's keys win, nested objects merge.
func deepMerge(under, over map[string]any) map[string]any {
	if len(under) == 0 && len(over) == 0 {
		return over
	}
	out := map[string]any{}
	for k, v := range under {
		out[k] = v
	}
	for k, v := range over {
		a, aIsObj := out[k].(map[string]any)
		b, bIsObj := v.(map[string]any)
		if aIsObj && bIsObj {
			out[k] = deepMerge(a, b)
			continue
		}
		out[k] = v
	}
	return out
}
