package cwsim

import (
	"net/http"
	"testing"
)

// fixture makes an API inbox (agent is a member), a contact and a conversation.
func fixture(t *testing.T, s *Sim, lock bool) (Inbox, Contact, Conversation) {
	t.Helper()
	ib, err := s.AddInbox(1, InboxSpec{Name: "WA", LockToSingleConversation: lock, MemberIDs: []int{agentAcme}})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := s.AddContact(1, ContactSpec{Name: "Ana", PhoneNumber: "+5511900000001", InboxID: ib.ID, SourceID: "5511900000001"})
	if err != nil {
		t.Fatal(err)
	}
	cv, err := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5511900000001"})
	if err != nil {
		t.Fatal(err)
	}
	return ib, ct, cv
}

func TestConversationLifecycle(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	admin := tokenHeader(s, adminAcme)
	ib, ct, cv := fixture(t, s, true)
	base := "/api/v1/accounts/1/conversations"

	// lock_to_single_conversation returns the existing conversation.
	again := do(t, s, "POST", base, admin, map[string]any{"inbox_id": ib.ID, "contact_id": ct.ID, "source_id": "5511900000001"})
	want(t, again, 200)
	if num(again.json(t)["id"]) != cv.DisplayID || len(s.Conversations(1)) != 1 {
		t.Errorf("locked inbox created a new conversation: %s", again.raw)
	}

	ts := do(t, s, "POST", base+"/"+itoa(cv.DisplayID)+"/toggle_status", admin, map[string]any{})
	want(t, ts, 200)
	if dig(t, ts.json(t), "payload", "current_status") != "resolved" || dig(t, ts.json(t), "payload", "success") != true {
		t.Errorf("toggle = %s", ts.raw)
	}
	// An incoming message reopens a resolved conversation.
	m := do(t, s, "POST", base+"/"+itoa(cv.DisplayID)+"/messages", admin, map[string]any{"content": "voltei", "message_type": "incoming"})
	want(t, m, 200)
	if num(m.json(t)["message_type"]) != 0 || dig(t, m.json(t), "sender", "type") != "contact" {
		t.Errorf("message = %s", m.raw)
	}
	show := do(t, s, "GET", base+"/"+itoa(cv.DisplayID), admin, nil)
	if show.json(t)["status"] != "open" {
		t.Errorf("status after incoming = %v", show.json(t)["status"])
	}
	msgs := s.Messages(1, cv.DisplayID)
	if len(msgs) != 3 || msgs[0].MessageType != "activity" || msgs[0].Content != "Conversation was marked resolved by Ana Admin" {
		t.Errorf("messages = %+v", msgs)
	}

	list := do(t, s, "GET", base+"?status=open", tokenHeader(s, agentAcme), nil)
	want(t, list, 200)
	data := list.json(t)["data"].(map[string]any)
	if num(dig(t, data, "meta", "all_count")) != 1 || num(dig(t, data, "payload", 0, "id")) != cv.DisplayID {
		t.Errorf("list = %s", list.raw)
	}
	paged := do(t, s, "GET", base+"/"+itoa(cv.DisplayID)+"/messages?before="+itoa(msgs[2].ID), admin, nil)
	if got := paged.json(t)["payload"].([]any); len(got) != 2 {
		t.Errorf("before= returned %d messages", len(got))
	}
}

func TestConversationErrors(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	admin := tokenHeader(s, adminAcme)
	ib, ct, cv := fixture(t, s, false)
	hidden, _ := s.AddInbox(1, InboxSpec{Name: "Hidden"})
	hct, _ := s.AddContact(1, ContactSpec{Name: "H", InboxID: hidden.ID})
	hcv, _ := s.AddConversation(1, ConversationSpec{InboxID: hidden.ID, ContactID: hct.ID})
	web, _ := s.AddInbox(1, InboxSpec{Name: "Site", ChannelType: "web_widget", WebsiteURL: "https://x.test"})
	wct, _ := s.AddContact(1, ContactSpec{Name: "W", InboxID: web.ID})
	wcv, _ := s.AddConversation(1, ConversationSpec{InboxID: web.ID, ContactID: wct.ID})
	base := "/api/v1/accounts/1/conversations/"
	cases := []struct {
		name, method, path string
		hdr                http.Header
		body               any
		status             int
		raw                string
	}{
		{"agent outside inbox", "GET", base + itoa(hcv.DisplayID), tokenHeader(s, agentAcme), nil, 401, ""},
		{"missing", "GET", base + "999", admin, nil, 404, ""},
		{"incoming on web widget", "POST", base + itoa(wcv.DisplayID) + "/messages", admin,
			map[string]any{"content": "x", "message_type": "incoming"}, 422, `{"error":"Incoming messages are only allowed in Api inboxes"}`},
		{"bad message_type", "POST", base + itoa(cv.DisplayID) + "/messages", admin,
			map[string]any{"content": "x", "message_type": "shout"}, 422, `{"error":"'shout' is not a valid message_type"}`},
		{"bad status", "POST", base + itoa(cv.DisplayID) + "/toggle_status", admin, map[string]any{"status": "closed"}, 500, ""},
		{"unknown source_id", "POST", "/api/v1/accounts/1/conversations", admin, map[string]any{"source_id": "nope"}, 404, ""},
	}
	for _, tc := range cases {
		r := do(t, s, tc.method, tc.path, tc.hdr, tc.body)
		if r.status != tc.status || (tc.raw != "" && string(r.raw) != tc.raw) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	// A source_id owned by another contact of an API inbox raises RecordNotUnique.
	dup := do(t, s, "POST", "/api/v1/accounts/1/contacts", admin, map[string]any{"name": "Other", "inbox_id": ib.ID, "source_id": "5511900000001"})
	want(t, dup, 500)
	if len(s.Contacts(1)) != 3 {
		t.Error("failed contact create must roll back")
	}
	_ = ct
}

func TestContactInboxesFilterAndCreatePayload(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	admin := tokenHeader(s, adminAcme)
	ib, ct, _ := fixture(t, s, false)
	f := do(t, s, "POST", "/api/v1/accounts/1/contact_inboxes/filter", admin, map[string]any{"inbox_id": ib.ID, "source_id": "5511900000001"})
	want(t, f, 200)
	if num(f.json(t)["id"]) != ct.ID || dig(t, f.json(t), "contact_inboxes", 0, "source_id") != "5511900000001" {
		t.Errorf("filter = %s", f.raw)
	}
	miss := do(t, s, "POST", "/api/v1/accounts/1/contact_inboxes/filter", admin, map[string]any{"inbox_id": ib.ID, "source_id": "x"})
	if miss.status != 404 || len(miss.raw) != 0 {
		t.Errorf("miss = %d %q, want an empty 404", miss.status, miss.raw)
	}
	c := do(t, s, "POST", "/api/v1/accounts/1/contacts", admin, map[string]any{"name": "Novo", "phone_number": "+5511900000002", "inbox_id": ib.ID})
	want(t, c, 200)
	p := c.json(t)["payload"].(map[string]any)
	src := dig(t, p, "contact_inbox", "source_id").(string)
	if len(src) != 36 || num(dig(t, p, "contact_inbox", "inbox", "id")) != ib.ID || dig(t, p, "contact", "contact_inboxes", 0, "source_id") != src {
		t.Errorf("create payload = %s", c.raw)
	}
	search := do(t, s, "GET", "/api/v1/accounts/1/contacts/search?q=novo", admin, nil)
	if num(dig(t, search.json(t), "meta", "count")) != 1 {
		t.Errorf("search = %s", search.raw)
	}
	flt := do(t, s, "POST", "/api/v1/accounts/1/contacts/filter", admin, map[string]any{"payload": []any{
		map[string]any{"attribute_key": "phone_number", "filter_operator": "equal_to", "values": []string{"+5511900000002"}, "query_operator": "OR"},
		map[string]any{"attribute_key": "name", "filter_operator": "contains", "values": []string{"ana"}},
	}})
	want(t, flt, 200)
	if num(dig(t, flt.json(t), "meta", "count")) != 2 {
		t.Errorf("filter OR = %s", flt.raw)
	}
	bad := do(t, s, "POST", "/api/v1/accounts/1/contacts/filter", admin, map[string]any{"payload": []any{
		map[string]any{"attribute_key": "shoe_size", "filter_operator": "equal_to", "values": []string{"1"}}}})
	if bad.status != 422 || string(bad.raw) != `{"error":"Invalid attribute key - [shoe_size]"}` {
		t.Errorf("bad filter = %d %s", bad.status, bad.raw)
	}
}
