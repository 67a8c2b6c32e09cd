package cwsim

import (
	"net/http"
	"strings"
)

// createInbox is InboxesController#create for the api and web_widget
// channel types. Called with mu held.
func (s *Sim) createInbox(ob *outbox, accountID int, p map[string]any) (*inbox, error) {
	if limit := s.inboxLimit(accountID); limit > 0 && s.countInboxes(accountID) >= limit {
		return nil, &apiError{http.StatusPaymentRequired, map[string]any{"error": "Account limit exceeded. Upgrade to a higher plan"}}
	}
	ch, isObj := p["channel"].(map[string]any)
	if !isObj {
		// Rails evaluates permitted_params[:channel][:type] on nil: NoMethodError.
		return nil, errRails(http.StatusInternalServerError)
	}
	typ, _ := pString(ch, "type")
	name, _ := pString(p, "name")
	var problems, attrs []string
	now := s.now()
	ib := &inbox{AccountID: accountID, Name: strings.TrimSpace(name), Timezone: "UTC",
		EnableAutoAssignment: true, EnableEmailCollect: true, AllowAfterResolved: true,
		CreatedAt: now, UpdatedAt: now, ChannelUpdatedAt: now}
	switch typ {
	case "api":
		ib.ChannelType = channelAPI
		ib.ChannelID = s.next("channel_api")
		ib.Identifier, ib.HMACToken = randomToken(24), randomToken(24)
		if s.ver.inboxSecrets() { // Channel::Api#secret arrived in 4.13
			ib.Secret = randomToken(24)
		}
	case "web_widget":
		ib.ChannelType = channelWebWidget
		ib.ChannelID = s.next("channel_web_widget")
		ib.Identifier, ib.HMACToken = randomToken(24), randomToken(24)
		if ib.WebsiteURL, _ = pString(ch, "website_url"); ib.WebsiteURL == "" {
			problems, attrs = append(problems, "Website url can't be blank"), append(attrs, "website_url")
		}
	case "email", "line", "telegram", "whatsapp", "sms":
		return nil, errCouldNotCreate("cwsim: creating " + typ + " inboxes is not simulated; use api or web_widget")
	default:
		problems, attrs = append(problems, "Channel must exist"), append(attrs, "channel")
	}
	if ib.Name == "" {
		problems, attrs = append(problems, "Name can't be blank"), append(attrs, "name")
	}
	if len(problems) > 0 {
		return nil, errRecordInvalid(strings.Join(problems, ", "), attrs...)
	}
	applyChannelAttrs(ib, ch)
	applyInboxAttrs(ib, p)
	ib.ID = s.next("inbox")
	s.addInboxRow(ib)
	s.emit(ob, accountID, nil, "inbox_created", s.inboxEventJSON(ib))
	return ib, nil
}

// updateInbox is InboxesController#update: inbox attributes plus the
// channel's EDITABLE_ATTRS. inbox_updated carries Inbox#previous_changes,
// so a PATCH that only changes the channel row (its webhook_url, say)
// emits nothing. Called with mu held.
func (s *Sim) updateInbox(ob *outbox, ib *inbox, p map[string]any) error {
	before := *ib
	if name, present := pString(p, "name"); present {
		if strings.TrimSpace(name) == "" {
			return errRecordInvalid("Name can't be blank", "name")
		}
		ib.Name = strings.TrimSpace(name)
	}
	applyInboxAttrs(ib, p)
	if ch, isObj := p["channel"].(map[string]any); isObj {
		applyChannelAttrs(ib, ch)
		if channelChanged(&before, ib) {
			ib.ChannelUpdatedAt = s.now()
		}
	}
	changes := inboxChanges(&before, ib)
	if len(changes) == 0 {
		return nil
	}
	ib.UpdatedAt = s.now()
	changes = append(changes, change("updated_at", rubyTime(before.UpdatedAt), rubyTime(ib.UpdatedAt)))
	ev := s.inboxEventJSON(ib)
	ev["changed_attributes"] = changes
	s.emit(ob, ib.AccountID, nil, "inbox_updated", ev)
	return nil
}

func applyChannelAttrs(ib *inbox, ch map[string]any) {
	switch ib.ChannelType {
	case channelAPI:
		if v, present := pString(ch, "webhook_url"); present {
			ib.WebhookURL = v
		}
		if v, present := pBool(ch, "hmac_mandatory"); present {
			ib.HMACMandatory = v
		}
		if v, present := pMap(ch, "additional_attributes"); present {
			ib.AdditionalAttributes = v
		}
	case channelWebWidget:
		if v, present := pString(ch, "website_url"); present && v != "" {
			ib.WebsiteURL = v
		}
	}
}

func applyInboxAttrs(ib *inbox, p map[string]any) {
	bools := map[string]*bool{
		"greeting_enabled": &ib.GreetingEnabled, "enable_auto_assignment": &ib.EnableAutoAssignment,
		"lock_to_single_conversation": &ib.LockToSingleConversation, "working_hours_enabled": &ib.WorkingHoursEnabled,
		"allow_messages_after_resolved": &ib.AllowAfterResolved, "enable_email_collect": &ib.EnableEmailCollect,
		"csat_survey_enabled": &ib.CSATSurveyEnabled,
	}
	for key, dst := range bools {
		if v, present := pBool(p, key); present {
			*dst = v
		}
	}
	if v, present := pString(p, "greeting_message"); present {
		ib.GreetingMessage = &v
	}
	if v, present := pString(p, "out_of_office_message"); present {
		ib.OutOfOfficeMessage = &v
	}
	if v, present := pString(p, "timezone"); present && v != "" {
		ib.Timezone = v
	}
}

func inboxChanges(a, b *inbox) []map[string]any {
	var out []map[string]any
	add := func(k string, x, y any) {
		if x != y {
			out = append(out, change(k, x, y))
		}
	}
	add("name", a.Name, b.Name)
	add("greeting_enabled", a.GreetingEnabled, b.GreetingEnabled)
	add("greeting_message", strPtr(a.GreetingMessage), strPtr(b.GreetingMessage))
	add("enable_auto_assignment", a.EnableAutoAssignment, b.EnableAutoAssignment)
	add("lock_to_single_conversation", a.LockToSingleConversation, b.LockToSingleConversation)
	add("working_hours_enabled", a.WorkingHoursEnabled, b.WorkingHoursEnabled)
	add("allow_messages_after_resolved", a.AllowAfterResolved, b.AllowAfterResolved)
	add("timezone", a.Timezone, b.Timezone)
	add("out_of_office_message", strPtr(a.OutOfOfficeMessage), strPtr(b.OutOfOfficeMessage))
	add("enable_email_collect", a.EnableEmailCollect, b.EnableEmailCollect)
	add("csat_survey_enabled", a.CSATSurveyEnabled, b.CSATSurveyEnabled)
	return out
}

// channelChanged reports a change of the channel row (channel_api or
// channel_web_widget), which is not the inbox's.
func channelChanged(a, b *inbox) bool {
	return a.WebhookURL != b.WebhookURL || a.HMACMandatory != b.HMACMandatory || a.WebsiteURL != b.WebsiteURL ||
		!jsonEqual(a.AdditionalAttributes, b.AdditionalAttributes)
}

// change is one entry of changed_attributes (BaseListener#extract_changed_attributes).
func change(attr string, prev, cur any) map[string]any {
	return map[string]any{attr: map[string]any{"previous_value": prev, "current_value": cur}}
}

// inboxLimit is the account's inbox limit (0: none). Called with mu held.
func (s *Sim) inboxLimit(accountID int) int {
	if n, set := s.inboxLimits[accountID]; set {
		return n
	}
	return s.opts.InboxLimit
}

func (s *Sim) countInboxes(accountID int) int {
	n := 0
	for _, ib := range s.inboxes {
		if ib.AccountID == accountID {
			n++
		}
	}
	return n
}

// SetInboxLimit sets an account's inbox limit (usage_limits[:inboxes]);
// 0 removes it. Creating an inbox at the limit answers 402.
func (s *Sim) SetInboxLimit(accountID, limit int) {
	s.mu.Lock()
	s.inboxLimits[accountID] = limit
	s.mu.Unlock()
}
