package cwsim

import (
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	emailRe = regexp.MustCompile(`\A[^@\s]+@[^@\s]+\z`) // Devise.email_regexp
	e164Re  = regexp.MustCompile(`\+[1-9]\d{1,14}\z`)   // Contact phone_number format
)

// contactFields are the writable contact attributes (permitted_contact_params).
type contactFields struct {
	name, email, phone, identifier *string
	blocked                        *bool
	additional, custom             map[string]any
}

func readContactFields(p map[string]any) contactFields {
	var f contactFields
	str := func(k string) *string {
		if v, present := pString(p, k); present {
			v = strings.TrimSpace(v)
			return &v
		}
		return nil
	}
	f.name, f.email, f.phone, f.identifier = str("name"), str("email"), str("phone_number"), str("identifier")
	if b, present := pBool(p, "blocked"); present {
		f.blocked = &b
	}
	f.additional, _ = pMap(p, "additional_attributes")
	f.custom, _ = pMap(p, "custom_attributes")
	return f
}

// blankToNil stores "" as NULL, as Chatwoot's contact callbacks do.
func blankToNil(v *string) *string {
	if v == nil || *v == "" {
		return nil
	}
	return v
}

// applyContact validates and writes fields like Contact's validations,
// returning RecordInvalid with every failing message. Called with mu held.
func (s *Sim) applyContact(ct *contact, f contactFields) error {
	next := *ct
	if f.name != nil {
		next.Name = *f.name
	}
	if f.email != nil {
		e := strings.ToLower(*f.email)
		next.Email = blankToNil(&e)
	}
	if f.phone != nil {
		next.PhoneNumber = blankToNil(f.phone)
	}
	if f.identifier != nil {
		next.Identifier = blankToNil(f.identifier)
	}
	if f.blocked != nil {
		next.Blocked = *f.blocked
	}
	if f.additional != nil {
		next.AdditionalAttributes = f.additional
	}
	if f.custom != nil {
		merged := map[string]any{} // update merges custom attributes
		for k, v := range ct.CustomAttributes {
			merged[k] = v
		}
		for k, v := range f.custom {
			merged[k] = v
		}
		next.CustomAttributes = merged
	}
	var msgs, attrs []string
	fail := func(attr, msg string) { msgs, attrs = append(msgs, msg), append(attrs, attr) }
	taken := func(get func(*contact) *string) bool {
		for _, other := range s.contacts {
			if other.AccountID == ct.AccountID && other.ID != ct.ID && get(other) != nil && get(&next) != nil && *get(other) == *get(&next) {
				return true
			}
		}
		return false
	}
	// Validators run in Contact's declaration order: email (uniqueness,
	// format), identifier, phone_number (uniqueness, format), name.
	if taken(func(c *contact) *string { return c.Email }) {
		fail("email", "Email has already been taken")
	}
	if next.Email != nil && !emailRe.MatchString(*next.Email) {
		fail("email", "Email Invalid email")
	}
	if taken(func(c *contact) *string { return c.Identifier }) {
		fail("identifier", "Identifier has already been taken")
	}
	if taken(func(c *contact) *string { return c.PhoneNumber }) {
		fail("phone_number", "Phone number has already been taken")
	}
	if next.PhoneNumber != nil && !e164Re.MatchString(*next.PhoneNumber) {
		fail("phone_number", "Phone number should be in e164 format")
	}
	if utf8.RuneCountInString(next.Name) > 255 {
		fail("name", "Name is too long (maximum is 255 characters)")
	}
	if len(msgs) > 0 {
		return errRecordInvalid(strings.Join(msgs, ", "), attrs...)
	}
	*ct = next
	return nil
}

// createContact is ContactsController#create: the contact, then (if
// inbox_id) its contact_inbox, all in one transaction. Called with mu held.
func (s *Sim) createContact(ob *outbox, accountID int, p map[string]any) (*contact, *contactInbox, error) {
	now := s.now()
	ct := &contact{AccountID: accountID, CreatedAt: now, UpdatedAt: now}
	// permitted_params are top-level keys only: a {contact:{…}} wrapper is
	// ignored and yields a contact with no name, phone or identifier.
	if err := s.applyContact(ct, readContactFields(p)); err != nil {
		return nil, nil, err
	}
	var ci *contactInbox
	if inboxID, present, err := pInt(p, "inbox_id"); present || err != nil {
		ib := s.inboxIn(accountID, inboxID)
		if err != nil || ib == nil {
			return nil, nil, errNotFound()
		}
		source, _ := pString(p, "source_id")
		ct.ID = s.next("contact") // the transaction needs the id for the contact_inbox
		if ci, err = s.contactInboxFor(ct, ib, source); err != nil {
			return nil, nil, err // rolled back; like a Postgres sequence, the id stays used
		}
	} else {
		ct.ID = s.next("contact")
	}
	s.addContactRow(ct)
	if ci != nil {
		s.addContactInboxRow(ci)
	}
	s.emit(ob, accountID, nil, "contact_created", s.contactWebhookJSON(ct))
	return ct, ci, nil
}

// contactInboxFor is ContactInboxBuilder: idempotent per (contact, inbox,
// source_id); a random UUID when source_id is blank; the same source_id on
// another contact of an API inbox raises RecordNotUnique (a 500). The
// returned row is not yet stored when it is new.
func (s *Sim) contactInboxFor(ct *contact, ib *inbox, source string) (*contactInbox, error) {
	if source == "" {
		source = uuidV4()
	}
	if ci := s.idx.ciBySource[ciKey{ib.ID, source}]; ci != nil {
		if ci.ContactID == ct.ID {
			return ci, nil
		}
		return nil, errRails(http.StatusInternalServerError)
	}
	now := s.now()
	return &contactInbox{ID: s.next("contact_inbox"), ContactID: ct.ID, InboxID: ib.ID, SourceID: source,
		PubsubToken: randomToken(24), CreatedAt: now, UpdatedAt: now}, nil
}

func (s *Sim) storeContactInbox(ci *contactInbox) { s.addContactInboxRow(ci) }

// updateContact is ContactsController#update; contact_updated only fires
// when something changed. Called with mu held.
func (s *Sim) updateContact(ob *outbox, ct *contact, p map[string]any) error {
	before := *ct
	if err := s.applyContact(ct, readContactFields(p)); err != nil { // top-level keys only, as on create
		return err
	}
	s.contactChanged(ob, &before, ct)
	return nil
}

func (s *Sim) contactChanged(ob *outbox, before, ct *contact) {
	var changes []map[string]any
	add := func(k string, x, y any) {
		if !jsonEqual(x, y) {
			changes = append(changes, change(k, x, y))
		}
	}
	add("name", before.Name, ct.Name)
	add("email", strPtr(before.Email), strPtr(ct.Email))
	add("phone_number", strPtr(before.PhoneNumber), strPtr(ct.PhoneNumber))
	add("identifier", strPtr(before.Identifier), strPtr(ct.Identifier))
	add("blocked", before.Blocked, ct.Blocked)
	add("additional_attributes", orEmpty(before.AdditionalAttributes), orEmpty(ct.AdditionalAttributes))
	add("custom_attributes", orEmpty(before.CustomAttributes), orEmpty(ct.CustomAttributes))
	add("last_activity_at", rubyTimePtr(before.LastActivityAt), rubyTimePtr(ct.LastActivityAt))
	if len(changes) == 0 {
		return
	}
	ct.UpdatedAt = s.now()
	if !s.wants(ct.AccountID, nil, "contact_updated") {
		return
	}
	changes = append(changes, change("updated_at", rubyTime(before.UpdatedAt), rubyTime(ct.UpdatedAt)))
	ev := s.contactWebhookJSON(ct)
	ev["changed_attributes"] = changes
	s.emit(ob, ct.AccountID, nil, "contact_updated", ev)
}
