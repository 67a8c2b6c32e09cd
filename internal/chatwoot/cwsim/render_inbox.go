package cwsim

const (
	channelAPI       = "Channel::Api"
	channelWebWidget = "Channel::WebWidget"
)

// weeklySchedule is Inbox#weekly_schedule for the default working hours
// Chatwoot creates with every inbox (weekdays 9–17, weekend closed).
func weeklySchedule() []map[string]any {
	out := make([]map[string]any, 0, 7)
	for day := 0; day < 7; day++ {
		wh := map[string]any{"day_of_week": day, "closed_all_day": true, "open_hour": nil,
			"open_minutes": nil, "close_hour": nil, "close_minutes": nil, "open_all_day": false}
		if day >= 1 && day <= 5 {
			wh["closed_all_day"], wh["open_hour"], wh["open_minutes"], wh["close_hour"], wh["close_minutes"] = false, 9, 0, 17, 0
		}
		out = append(out, wh)
	}
	return out
}

// inboxJSON is app/views/api/v1/models/_inbox.json.jbuilder. The web-widget
// keys are always rendered (channel.try → null for API inboxes); hmac_token
// and secret (4.13+) are only shown to administrators.
func (s *Sim) inboxJSON(ib *inbox, admin bool) map[string]any {
	out := map[string]any{
		"id": ib.ID, "avatar_url": "", "channel_id": ib.ChannelID, "name": ib.Name,
		"channel_type": ib.ChannelType, "greeting_enabled": ib.GreetingEnabled,
		"greeting_message": strPtr(ib.GreetingMessage), "working_hours_enabled": ib.WorkingHoursEnabled,
		"enable_email_collect": ib.EnableEmailCollect, "csat_survey_enabled": ib.CSATSurveyEnabled,
		"csat_config": map[string]any{}, "enable_auto_assignment": ib.EnableAutoAssignment,
		"auto_assignment_config": map[string]any{}, "out_of_office_message": strPtr(ib.OutOfOfficeMessage),
		"working_hours": weeklySchedule(), "timezone": ib.Timezone, "callback_webhook_url": nil,
		"allow_messages_after_resolved": ib.AllowAfterResolved,
		"lock_to_single_conversation":   ib.LockToSingleConversation,
		"sender_name_type":              "friendly", "business_name": nil,
		"widget_color": nil, "website_url": nil, "hmac_mandatory": ib.HMACMandatory,
		"welcome_title": nil, "welcome_tagline": nil, "web_widget_script": nil, "website_token": nil,
		"selected_feature_flags": nil, "reply_time": nil,
		"messaging_service_sid": nil, "phone_number": nil, "provider": nil,
	}
	switch ib.ChannelType {
	case channelAPI:
		out["webhook_url"] = ib.WebhookURL
		out["inbox_identifier"] = ib.Identifier
		out["additional_attributes"] = orEmpty(ib.AdditionalAttributes)
		if admin {
			out["hmac_token"] = ib.HMACToken
			if s.ver.inboxSecrets() {
				out["secret"] = ib.Secret
			}
		}
	case channelWebWidget:
		out["website_url"] = ib.WebsiteURL
		out["widget_color"] = "#1f93ff"
		out["website_token"] = ib.Identifier
		out["web_widget_script"] = "<script>/* widget " + ib.Identifier + " */</script>"
		out["selected_feature_flags"] = []string{"attachments", "emoji_picker", "end_conversation"}
		out["reply_time"] = "in_a_few_minutes"
		out["pre_chat_form_enabled"] = false
		out["pre_chat_form_options"] = map[string]any{}
		out["continuity_via_email"] = true
		if admin {
			out["hmac_token"] = ib.HMACToken
		}
	}
	return out
}

// inboxSlimJSON is api/v1/models/_inbox_slim (inside contact_inboxes).
func inboxSlimJSON(ib *inbox) map[string]any {
	return map[string]any{"id": ib.ID, "avatar_url": "", "channel_id": ib.ChannelID, "name": ib.Name,
		"channel_type": ib.ChannelType, "provider": nil}
}

// inboxRecordJSON is Inbox#as_json: the raw row, which contacts/create
// renders for contact_inbox.inbox.
func inboxRecordJSON(ib *inbox) map[string]any {
	return map[string]any{
		"id": ib.ID, "channel_id": ib.ChannelID, "account_id": ib.AccountID, "name": ib.Name,
		"created_at": rubyTime(ib.CreatedAt), "updated_at": rubyTime(ib.UpdatedAt),
		"channel_type": ib.ChannelType, "enable_auto_assignment": ib.EnableAutoAssignment,
		"greeting_enabled": ib.GreetingEnabled, "greeting_message": strPtr(ib.GreetingMessage),
		"email_address": nil, "working_hours_enabled": ib.WorkingHoursEnabled,
		"out_of_office_message": strPtr(ib.OutOfOfficeMessage), "timezone": ib.Timezone,
		"enable_email_collect": ib.EnableEmailCollect, "csat_survey_enabled": ib.CSATSurveyEnabled,
		"allow_messages_after_resolved": ib.AllowAfterResolved, "auto_assignment_config": map[string]any{},
		"lock_to_single_conversation": ib.LockToSingleConversation, "portal_id": nil,
		"sender_name_type": "friendly", "business_name": nil, "csat_config": map[string]any{},
	}
}

// channelRecordJSON is the raw channel row (Channel::Api or
// Channel::WebWidget#as_json) that inbox_* webhooks carry.
func (s *Sim) channelRecordJSON(ib *inbox) map[string]any {
	ch := map[string]any{"id": ib.ChannelID, "account_id": ib.AccountID,
		"created_at": rubyTime(ib.CreatedAt), "updated_at": rubyTime(ib.ChannelUpdatedAt)}
	if ib.ChannelType == channelAPI {
		ch["webhook_url"] = ib.WebhookURL
		ch["identifier"] = ib.Identifier
		ch["hmac_token"] = ib.HMACToken
		ch["hmac_mandatory"] = ib.HMACMandatory
		ch["additional_attributes"] = orEmpty(ib.AdditionalAttributes)
		if s.ver.inboxSecrets() {
			ch["secret"] = ib.Secret
		}
	} else {
		ch["website_url"] = ib.WebsiteURL
		ch["website_token"] = ib.Identifier
		ch["hmac_token"] = ib.HMACToken
		ch["widget_color"] = "#1f93ff"
		ch["welcome_title"], ch["welcome_tagline"] = nil, nil
		ch["feature_flags"] = 7
		ch["reply_time"] = "in_a_few_minutes"
		ch["pre_chat_form_enabled"], ch["pre_chat_form_options"] = false, map[string]any{}
		ch["hmac_mandatory"], ch["continuity_via_email"], ch["allowed_domains"] = false, true, ""
	}
	return ch
}

// workingHoursJSON is inbox.working_hours as rows: the seven WorkingHour
// records Chatwoot creates with every inbox (weekdays 9–17).
func workingHoursJSON(ib *inbox) []map[string]any {
	out := make([]map[string]any, 0, 7)
	for i, wh := range weeklySchedule() {
		row := map[string]any{"id": (ib.ID-1)*7 + i + 1, "inbox_id": ib.ID, "account_id": ib.AccountID,
			"created_at": rubyTime(ib.CreatedAt), "updated_at": rubyTime(ib.CreatedAt)}
		for k, v := range wh {
			row[k] = v
		}
		out = append(out, row)
	}
	return out
}

// inboxEventJSON is Inbox::EventDataPresenter#push_data, the body of
// inbox_created and inbox_updated: the inbox's settings, its times and
// the raw channel row, plus the account. No id, name, channel_type,
// channel_id or account_id: a consumer reads those from channel.
func (s *Sim) inboxEventJSON(ib *inbox) map[string]any {
	return map[string]any{
		"allow_messages_after_resolved": ib.AllowAfterResolved, "lock_to_single_conversation": ib.LockToSingleConversation,
		"auto_assignment_config": map[string]any{}, "enable_auto_assignment": ib.EnableAutoAssignment,
		"enable_email_collect": ib.EnableEmailCollect, "greeting_enabled": ib.GreetingEnabled,
		"greeting_message": strPtr(ib.GreetingMessage), "csat_survey_enabled": ib.CSATSurveyEnabled,
		"business_name": nil, "sender_name_type": "friendly",
		"timezone": ib.Timezone, "out_of_office_message": strPtr(ib.OutOfOfficeMessage),
		"working_hours_enabled": ib.WorkingHoursEnabled, "working_hours": workingHoursJSON(ib),
		"created_at": rubyTime(ib.CreatedAt), "updated_at": rubyTime(ib.UpdatedAt),
		"channel": s.channelRecordJSON(ib), "account": s.accountWebhookJSON(ib.AccountID),
	}
}

func (s *Sim) accountWebhookJSON(accountID int) map[string]any {
	a := s.account(accountID)
	if a == nil {
		return map[string]any{"id": accountID, "name": ""}
	}
	return map[string]any{"id": a.ID, "name": a.Name}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
