package cwsim

// contactJSON is app/views/api/v1/models/_contact.json.jbuilder; the
// contact_inboxes list only appears on /contacts endpoints.
func (s *Sim) contactJSON(ct *contact, withInboxes bool) map[string]any {
	out := map[string]any{
		"additional_attributes": orEmpty(ct.AdditionalAttributes), "availability_status": "offline",
		"email": strPtr(ct.Email), "id": ct.ID, "name": ct.Name, "phone_number": strPtr(ct.PhoneNumber),
		"blocked": ct.Blocked, "identifier": strPtr(ct.Identifier), "thumbnail": "",
		"custom_attributes": orEmpty(ct.CustomAttributes), "created_at": ct.CreatedAt.Unix(),
	}
	if ct.LastActivityAt != nil {
		out["last_activity_at"] = ct.LastActivityAt.Unix()
	}
	if withInboxes {
		list := []map[string]any{}
		for _, ci := range s.idx.ciByContact[ct.ID] {
			if ib := s.inboxByID(ci.InboxID); ib != nil {
				list = append(list, map[string]any{"source_id": ci.SourceID, "inbox": inboxSlimJSON(ib)})
			}
		}
		out["contact_inboxes"] = list
	}
	return out
}

// contactPushJSON is Contact#push_event_data (conversation meta.sender).
func contactPushJSON(ct *contact) map[string]any {
	return map[string]any{
		"additional_attributes": orEmpty(ct.AdditionalAttributes), "custom_attributes": orEmpty(ct.CustomAttributes),
		"email": strPtr(ct.Email), "id": ct.ID, "identifier": strPtr(ct.Identifier), "name": ct.Name,
		"phone_number": strPtr(ct.PhoneNumber), "thumbnail": "", "blocked": ct.Blocked, "type": "contact",
	}
}

// contactWebhookJSON is Contact#webhook_data: no "type" key, plus account.
func (s *Sim) contactWebhookJSON(ct *contact) map[string]any {
	return map[string]any{
		"account": s.accountWebhookJSON(ct.AccountID), "additional_attributes": orEmpty(ct.AdditionalAttributes),
		"avatar": "", "custom_attributes": orEmpty(ct.CustomAttributes), "email": strPtr(ct.Email), "id": ct.ID,
		"identifier": strPtr(ct.Identifier), "name": ct.Name, "phone_number": strPtr(ct.PhoneNumber),
		"thumbnail": "", "blocked": ct.Blocked,
	}
}

// contactInboxRecordJSON is ContactInbox#as_json (conversation webhooks).
func contactInboxRecordJSON(ci *contactInbox) map[string]any {
	if ci == nil {
		return nil
	}
	return map[string]any{
		"id": ci.ID, "contact_id": ci.ContactID, "inbox_id": ci.InboxID, "source_id": ci.SourceID,
		"created_at": rubyTime(ci.CreatedAt), "updated_at": rubyTime(ci.UpdatedAt),
		"hmac_verified": ci.HMACVerified, "pubsub_token": ci.PubsubToken,
	}
}
