package cwsim

import "testing"

// contractCases builds fixtures and one case per simulated swagger route.
// Requests are sent by the account administrator's api_access_token.
func contractCases(t *testing.T, s *Sim) []contractCase {
	t.Helper()
	const acct = "/api/v1/accounts/{account_id}"
	base := "/api/v1/accounts/1"
	ib, err := s.AddInbox(1, InboxSpec{Name: "WA", WebhookURL: "https://hub.test/cw/inbox/1", MemberIDs: []int{agentAcme}})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := s.AddContact(1, ContactSpec{Name: "Maria", Email: "maria@x.test", PhoneNumber: "+5511999990000", InboxID: ib.ID, SourceID: "5511999990000"})
	other, _ := s.AddContact(1, ContactSpec{Name: "Pedro", PhoneNumber: "+5511999990001"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5511999990000"})
	if _, err := s.AddMessage(1, cv.DisplayID, MessageSpec{MessageType: "incoming", Content: "oi", SourceID: "wamid.1"}); err != nil {
		t.Fatal(err)
	}
	doomed, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: adminAcme, Content: "engano"})
	if err != nil {
		t.Fatal(err)
	}
	keep, _ := s.AddContact(1, ContactSpec{Name: "Ana", PhoneNumber: "+5531999990000"})
	dup, _ := s.AddContact(1, ContactSpec{Name: "Ana (WhatsApp)", Identifier: "5531999990000@s.whatsapp.net"})
	wh, _ := s.AddWebhook(1, "https://hub.test/cw/account", "message_created")
	gone, _ := s.AddWebhook(1, "https://hub.test/cw/gone")
	conv := idPath(base+"/conversations", cv.DisplayID)
	sales, err := s.AddTeam(1, "Vendas", agentAcme)
	if err != nil {
		t.Fatal(err)
	}
	doomedTeam, _ := s.AddTeam(1, "Antigo")
	team := idPath(base+"/teams", sales.ID)

	return []contractCase{
		{name: "profile", method: "GET", spec: "/api/v1/profile", path: "/api/v1/profile", status: 200,
			hubKeys: wantKeys(p("id"), p("email"), p("access_token"), p("confirmed"), p("accounts", 0, "id"), p("accounts", 0, "role"))},
		{method: "GET", spec: acct + "/agents", path: base + "/agents", status: 200,
			hubKeys: wantKeys(p(0, "id"), p(0, "role"), p(0, "email"))},

		{method: "GET", spec: acct + "/inboxes", path: base + "/inboxes", status: 200, devs: []deviation{devInboxNulls},
			hubKeys: wantKeys(p("payload", 0, "id"), p("payload", 0, "name"), p("payload", 0, "channel_type"), p("payload", 0, "secret"), p("payload", 0, "webhook_url"))},
		{method: "POST", spec: acct + "/inboxes", path: base + "/inboxes", status: 200, devs: []deviation{devInboxNulls},
			body:    map[string]any{"name": "WA 2", "channel": map[string]any{"type": "api", "webhook_url": "https://hub.test/cw/inbox/2"}},
			hubKeys: wantKeys(p("id"), p("secret"), p("webhook_url"), p("channel_type"))},
		{method: "GET", spec: acct + "/inboxes/{id}", path: idPath(base+"/inboxes", ib.ID), status: 200, devs: []deviation{devInboxNulls},
			hubKeys: wantKeys(p("id"), p("name"), p("secret"))},
		{method: "PATCH", spec: acct + "/inboxes/{id}", path: idPath(base+"/inboxes", ib.ID), status: 200, devs: []deviation{devInboxNulls},
			body:    map[string]any{"name": "WA", "channel": map[string]any{"webhook_url": "https://hub.test/cw/inbox/1b"}},
			hubKeys: wantKeys(p("webhook_url"))},
		{method: "GET", spec: acct + "/inbox_members/{inbox_id}", path: idPath(base+"/inbox_members", ib.ID), status: 200,
			hubKeys: wantKeys(p("payload", 0, "id"))},
		{method: "POST", spec: acct + "/inbox_members", path: base + "/inbox_members", status: 200,
			body: map[string]any{"inbox_id": ib.ID, "user_ids": []int{multiUser}}, hubKeys: wantKeys(p("payload", 1, "id"))},
		{method: "PATCH", spec: acct + "/inbox_members", path: base + "/inbox_members", status: 200,
			body: map[string]any{"inbox_id": itoa(ib.ID), "user_ids": []int{agentAcme, multiUser}}, hubKeys: wantKeys(p("payload", 0, "id"))},
		{method: "DELETE", spec: acct + "/inbox_members", path: base + "/inbox_members", status: 200,
			body: map[string]any{"inbox_id": itoa(ib.ID), "user_ids": []int{multiUser}}},

		{method: "GET", spec: acct + "/teams", path: base + "/teams", status: 200,
			hubKeys: wantKeys(p(0, "id"), p(0, "name"), p(0, "is_member"))},
		{method: "POST", spec: acct + "/teams", path: base + "/teams", status: 200,
			body: map[string]any{"name": "Suporte", "description": "N1"}, hubKeys: wantKeys(p("id"), p("name"))},
		{method: "GET", spec: acct + "/teams/{team_id}", path: team, status: 200, hubKeys: wantKeys(p("id"), p("name"))},
		{method: "PATCH", spec: acct + "/teams/{team_id}", path: team, status: 200,
			body: map[string]any{"description": "Pipeline"}, hubKeys: wantKeys(p("description"))},
		{method: "DELETE", spec: acct + "/teams/{team_id}", path: idPath(base+"/teams", doomedTeam.ID), status: 200},
		{method: "GET", spec: acct + "/teams/{team_id}/team_members", path: team + "/team_members", status: 200,
			hubKeys: wantKeys(p(0, "id"))},
		{method: "POST", spec: acct + "/teams/{team_id}/team_members", path: team + "/team_members", status: 200,
			body: map[string]any{"user_ids": []int{multiUser}}, hubKeys: wantKeys(p(0, "id"))},
		{method: "PATCH", spec: acct + "/teams/{team_id}/team_members", path: team + "/team_members", status: 200,
			body: map[string]any{"user_ids": []int{agentAcme, multiUser}}, hubKeys: wantKeys(p(1, "id"))},
		{method: "DELETE", spec: acct + "/teams/{team_id}/team_members", path: team + "/team_members", status: 200,
			body: map[string]any{"user_ids": []int{multiUser}}},

		{method: "GET", spec: acct + "/contacts", path: base + "/contacts", status: 200,
			hubKeys: wantKeys(p("payload", 0, "id"), p("meta", "count"))},
		{method: "POST", spec: acct + "/contacts", path: base + "/contacts", status: 200,
			body: map[string]any{"inbox_id": ib.ID, "name": "Novo", "phone_number": "+5511999990002", "source_id": "5511999990002"},
			devs: []deviation{{"response", []string{"payload"},
				"contacts/create.json.jbuilder answers {payload:{contact:{…}, contact_inbox:{inbox, source_id}}}; swagger's extended_contact makes payload an array"}},
			hubKeys: wantKeys(p("payload", "contact", "id"), p("payload", "contact_inbox", "source_id"), p("payload", "contact", "contact_inboxes", 0, "source_id"))},
		{method: "GET", spec: acct + "/contacts/{id}", path: idPath(base+"/contacts", ct.ID), status: 200,
			hubKeys: wantKeys(p("payload", "id"), p("payload", "contact_inboxes", 0, "source_id"))},
		{method: "PUT", spec: acct + "/contacts/{id}", path: idPath(base+"/contacts", ct.ID), status: 200,
			body: map[string]any{"name": "Maria Silva"},
			devs: []deviation{{"status", []string{"200"},
				"ContactsController#update renders update.json.jbuilder with 200 {payload: contact}; swagger documents only 204"}},
			hubKeys: wantKeys(p("payload", "id"), p("payload", "name"))},
		{method: "GET", spec: acct + "/contacts/search", path: base + "/contacts/search?q=maria", status: 200,
			hubKeys: wantKeys(p("payload", 0, "id"))},
		{method: "POST", spec: acct + "/contacts/filter", path: base + "/contacts/filter", status: 200,
			body: map[string]any{"payload": []any{map[string]any{"attribute_key": "phone_number", "filter_operator": "equal_to",
				"values": []string{"+5511999990001"}, "query_operator": "AND"}}},
			hubKeys: wantKeys(p("payload", 0, "id"))},
		{method: "POST", spec: acct + "/contacts/{id}/contact_inboxes", path: idPath(base+"/contacts", other.ID) + "/contact_inboxes", status: 200,
			body: map[string]any{"inbox_id": ib.ID, "source_id": "5511999990001"},
			devs: []deviation{{"response", []string{"provider"},
				"_inbox_slim renders provider from channel.try(:provider), null for API inboxes; swagger's inbox_contact types it string"}},
			hubKeys: wantKeys(p("source_id"), p("inbox", "id"))},

		{method: "GET", spec: acct + "/conversations", path: base + "/conversations?status=all", status: 200,
			hubKeys: wantKeys(p("data", "payload", 0, "id"), p("data", "meta", "all_count"))},
		{method: "POST", spec: acct + "/conversations", path: base + "/conversations", status: 200,
			body:    map[string]any{"inbox_id": ib.ID, "contact_id": other.ID, "source_id": "5511999990001"},
			hubKeys: wantKeys(p("id"), p("inbox_id"))},
		{method: "GET", spec: acct + "/conversations/{conversation_id}", path: conv, status: 200,
			hubKeys: wantKeys(p("id"), p("status"), p("meta", "sender", "id"))},
		{method: "POST", spec: acct + "/conversations/{conversation_id}/toggle_status", path: conv + "/toggle_status", status: 200,
			body: map[string]any{"status": "pending"}, hubKeys: wantKeys(p("payload", "current_status"))},
		{method: "POST", spec: acct + "/conversations/{conversation_id}/custom_attributes", path: conv + "/custom_attributes", status: 200,
			body: map[string]any{"custom_attributes": map[string]any{"kanban_stage": "Proposta"}}, hubKeys: wantKeys(p("custom_attributes"))},
		{method: "GET", spec: acct + "/conversations/{conversation_id}/messages", path: conv + "/messages", status: 200,
			devs: []deviation{{"response", []string{"assignee"},
				"messages/index renders meta.assignee as null for an unassigned conversation; swagger's agent schema is not nullable"}},
			hubKeys: wantKeys(p("payload", 0, "id"), p("payload", 0, "source_id"))},
		{method: "POST", spec: acct + "/conversations/{conversation_id}/messages", path: conv + "/messages", status: 200,
			body:    map[string]any{"content": "Olá", "message_type": "incoming", "private": false},
			hubKeys: wantKeys(p("id"), p("conversation_id"), p("status"))},

		{method: "DELETE", spec: acct + "/conversations/{conversation_id}/messages/{message_id}", path: idPath(conv+"/messages", doomed.ID), status: 200,
			hubKeys: wantKeys(p("id"), p("content"), p("content_attributes", "deleted"))},
		{method: "POST", spec: acct + "/conversations/{conversation_id}/toggle_typing_status", path: conv + "/toggle_typing_status", status: 200,
			body: map[string]any{"typing_status": "on", "is_private": false}},
		{method: "POST", spec: acct + "/actions/contact_merge", path: base + "/actions/contact_merge", status: 200,
			body:    map[string]any{"base_contact_id": keep.ID, "mergee_contact_id": dup.ID},
			hubKeys: wantKeys(p("id"), p("phone_number"), p("identifier"))},
		{method: "POST", spec: "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/update_last_seen",
			path:   "/public/api/v1/inboxes/" + ib.Identifier + "/contacts/5511999990000/conversations/" + itoa(cv.DisplayID) + "/update_last_seen",
			status: 200},

		{method: "GET", spec: acct + "/webhooks", path: base + "/webhooks", status: 200, devs: []deviation{devWebhookList},
			hubKeys: wantKeys(p("payload", "webhooks", 0, "id"), p("payload", "webhooks", 0, "secret"))},
		{method: "POST", spec: acct + "/webhooks", path: base + "/webhooks", status: 200, devs: []deviation{devWebhookWrap},
			body:    map[string]any{"url": "https://hub.test/cw/account2", "subscriptions": []string{"conversation_created", "message_created"}},
			hubKeys: wantKeys(p("payload", "webhook", "id"), p("payload", "webhook", "secret"))},
		{method: "PATCH", spec: acct + "/webhooks/{webhook_id}", path: idPath(base+"/webhooks", wh.ID), status: 200, devs: []deviation{devWebhookWrap},
			body:    map[string]any{"url": "https://hub.test/cw/account", "subscriptions": []string{"message_created", "message_updated"}},
			hubKeys: wantKeys(p("payload", "webhook", "subscriptions", 1))},
		{method: "DELETE", spec: acct + "/webhooks/{webhook_id}", path: idPath(base+"/webhooks", gone.ID), status: 200},
	}
}
