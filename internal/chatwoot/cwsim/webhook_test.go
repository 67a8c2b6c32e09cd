package cwsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"testing"
)

// verify checks a delivery the way a receiver must: HMAC-SHA256 over
// "{timestamp}.{raw body}" with the secret, compared in constant time.
func verify(t *testing.T, g received, secret string) {
	t.Helper()
	ts := g.header.Get("X-Chatwoot-Timestamp")
	if ts != strconv.FormatInt(testNow.Unix(), 10) {
		t.Errorf("X-Chatwoot-Timestamp = %q", ts)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(g.body)))
	wantSig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(g.header.Get("X-Chatwoot-Signature")), []byte(wantSig)) {
		t.Errorf("signature %q does not verify with the secret", g.header.Get("X-Chatwoot-Signature"))
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(g.header.Get("X-Chatwoot-Delivery")) {
		t.Errorf("X-Chatwoot-Delivery = %q", g.header.Get("X-Chatwoot-Delivery"))
	}
	if g.header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type = %q", g.header.Get("Content-Type"))
	}
}

func TestWebhooksFireSignedAndRespectSubscriptions(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	rc := newReceiver(t)
	admin := tokenHeader(s, adminAcme)
	wh := do(t, s, "POST", "/api/v1/accounts/1/webhooks", admin,
		map[string]any{"url": rc.URL + "/account", "subscriptions": []string{"message_created"}})
	want(t, wh, 200)
	whSecret := dig(t, wh.json(t), "payload", "webhook", "secret").(string)
	ib := createInboxAPI(t, s, 1, adminAcme, "WA", rc.URL+"/inbox")
	inboxSecret := ib["secret"].(string)

	ct := do(t, s, "POST", "/api/v1/accounts/1/contacts", admin,
		map[string]any{"name": "Maria", "phone_number": "+5511999990000", "inbox_id": ib["id"], "source_id": "5511999990000"})
	want(t, ct, 200)
	contactID := dig(t, ct.json(t), "payload", "contact", "id")
	cv := do(t, s, "POST", "/api/v1/accounts/1/conversations", admin,
		map[string]any{"inbox_id": ib["id"], "contact_id": contactID, "source_id": "5511999990000"})
	want(t, cv, 200)
	msg := do(t, s, "POST", "/api/v1/accounts/1/conversations/"+itoa(num(cv.json(t)["id"]))+"/messages", admin,
		map[string]any{"content": "oi", "message_type": "incoming", "source_id": "wamid.1"})
	want(t, msg, 200)
	flush(t, s)

	if got := rc.events("/account"); len(got) != 1 || got[0] != "message_created" {
		t.Errorf("account webhook got %v, want only message_created", got)
	}
	inboxEvents := rc.events("/inbox")
	for _, ev := range []string{"conversation_created", "message_created", "conversation_updated"} {
		if !contains(inboxEvents, ev) {
			t.Errorf("API inbox webhook_url got %v, missing %s", inboxEvents, ev)
		}
	}
	if contains(inboxEvents, "contact_created") {
		t.Error("contact events go to account webhooks only")
	}
	g, _ := rc.find("/account", "message_created")
	verify(t, g, whSecret)
	gi, _ := rc.find("/inbox", "message_created")
	verify(t, gi, inboxSecret)

	var payload map[string]any
	if err := json.Unmarshal(gi.body, &payload); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"message_type": "incoming", "content": "oi", "source_id": "wamid.1", "private": false,
		"created_at": "2026-06-17T10:00:00.000Z",
	}
	for k, v := range checks {
		if payload[k] != v {
			t.Errorf("payload[%s] = %v, want %v", k, payload[k], v)
		}
	}
	if dig(t, payload, "conversation", "contact_inbox", "source_id") != "5511999990000" ||
		num(dig(t, payload, "account", "id")) != 1 || dig(t, payload, "inbox", "name") != "WA" ||
		dig(t, payload, "sender", "phone_number") != "+5511999990000" {
		t.Errorf("message payload = %s", gi.body)
	}
	if _, hasType := payload["sender"].(map[string]any)["type"]; hasType {
		t.Error("a contact sender in webhook_data has no type key")
	}
	for _, d := range s.Deliveries() {
		if !d.Done || d.StatusCode != 200 || d.ID == "" {
			t.Errorf("delivery %+v", d)
		}
	}
}

func TestAgentReplyFromDashboardReachesHub(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	rc := newReceiver(t)
	ib, err := s.AddInbox(1, InboxSpec{Name: "WA", WebhookURL: rc.URL + "/inbox", MemberIDs: []int{agentAcme}})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := s.AddContact(1, ContactSpec{Name: "João", PhoneNumber: "+5511988887777", InboxID: ib.ID, SourceID: "5511988887777"})
	if err != nil {
		t.Fatal(err)
	}
	cv, err := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5511988887777"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "Olá!",
		Attachments: []Attachment{{Filename: "a.png", ContentType: "image/png", Data: []byte("png")}}})
	if err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	g, found := rc.find("/inbox", "message_created")
	if !found {
		t.Fatalf("no message_created; got %v", rc.events("/inbox"))
	}
	verify(t, g, ib.Secret)
	var p map[string]any
	_ = json.Unmarshal(g.body, &p)
	if p["message_type"] != "outgoing" || p["source_id"] != nil || dig(t, p, "sender", "type") != "user" ||
		num(dig(t, p, "sender", "id")) != agentAcme || dig(t, p, "attachments", 0, "file_type") != "image" {
		t.Errorf("payload = %s", g.body)
	}
	// The attachment's data_url redirects to its bytes, as Active Storage does.
	url := dig(t, p, "attachments", 0, "data_url").(string)
	if url != m.Attachments[0].DataURL {
		t.Errorf("data_url %s vs %s", url, m.Attachments[0].DataURL)
	}
	blob := do(t, s, "GET", url[len("http://chatwoot.test"):], nil, nil)
	want(t, blob, http.StatusFound)
	data := do(t, s, "GET", blob.header.Get("Location"), nil, nil)
	if data.status != 200 || string(data.raw) != "png" {
		t.Errorf("blob = %d %q", data.status, data.raw)
	}
}

func TestAPIInboxFailureMarksMessageFailed(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	rc := newReceiver(t)
	rc.status = func(path string) int {
		if path == "/inbox" {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
	if _, err := s.AddWebhook(1, rc.URL+"/account", "message_updated"); err != nil {
		t.Fatal(err)
	}
	ib, _ := s.AddInbox(1, InboxSpec{Name: "WA", WebhookURL: rc.URL + "/inbox"})
	ct, _ := s.AddContact(1, ContactSpec{Name: "Ana", InboxID: ib.ID, SourceID: "551100"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "551100"})
	m, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: adminAcme, Content: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	msgs := s.Messages(1, cv.DisplayID)
	got := msgs[len(msgs)-1]
	if got.ID != m.ID || got.Status != "failed" || got.ExternalError != "500 Internal Server Error" {
		t.Errorf("message after failed delivery = %+v", got)
	}
	if _, found := rc.find("/account", "message_updated"); !found {
		t.Error("marking the message failed must fire message_updated")
	}
}

func TestMessageStatusUpdate(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	rc := newReceiver(t)
	admin := tokenHeader(s, adminAcme)
	s.AddWebhook(1, rc.URL+"/account", "message_updated")
	ib, _ := s.AddInbox(1, InboxSpec{Name: "WA"})
	ct, _ := s.AddContact(1, ContactSpec{Name: "Ana", InboxID: ib.ID})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID})
	m, _ := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: adminAcme, Content: "hi"})
	path := "/api/v1/accounts/1/conversations/" + itoa(cv.DisplayID) + "/messages/" + itoa(m.ID)

	r := do(t, s, "PATCH", path, admin, map[string]any{"status": "read"})
	want(t, r, 200)
	if r.json(t)["status"] != "read" {
		t.Errorf("status = %s", r.raw)
	}
	// read → delivered is ignored by StatusUpdateService.
	r = do(t, s, "PATCH", path, admin, map[string]any{"status": "delivered"})
	if r.json(t)["status"] != "read" {
		t.Errorf("read → delivered changed status: %s", r.raw)
	}
	r = do(t, s, "PATCH", path, admin, map[string]any{"status": "failed", "external_error": "131047 Re-engagement"})
	if dig(t, r.json(t), "content_attributes", "external_error") != "131047 Re-engagement" {
		t.Errorf("failed = %s", r.raw)
	}
	flush(t, s)
	if n := len(rc.events("/account")); n != 2 {
		t.Errorf("message_updated fired %d times, want 2 (read, failed)", n)
	}

	web, _ := s.AddInbox(1, InboxSpec{Name: "Site", ChannelType: "web_widget", WebsiteURL: "https://site.test"})
	ct2, _ := s.AddContact(1, ContactSpec{Name: "Bia", InboxID: web.ID})
	cv2, _ := s.AddConversation(1, ConversationSpec{InboxID: web.ID, ContactID: ct2.ID})
	m2, _ := s.AddMessage(1, cv2.DisplayID, MessageSpec{SenderUserID: adminAcme, Content: "x"})
	r = do(t, s, "PATCH", "/api/v1/accounts/1/conversations/"+itoa(cv2.DisplayID)+"/messages/"+itoa(m2.ID), admin, map[string]any{"status": "read"})
	want(t, r, 403)
	if string(r.raw) != `{"error":"Message status update is only allowed for API inboxes"}` {
		t.Errorf("body = %s", r.raw)
	}
}

func TestWebhookCRUD(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	admin := tokenHeader(s, adminAcme)
	base := "/api/v1/accounts/1/webhooks"
	cases := []struct {
		name   string
		hdr    http.Header
		body   any
		status int
		raw    string
	}{
		{"agent", tokenHeader(s, agentAcme), map[string]any{"url": "https://hub.test/a"}, 401, ""},
		{"bad url", admin, map[string]any{"url": "ftp://x"}, 422, `{"attributes":["url"],"message":"Url is invalid"}`},
		{"bad event", admin, map[string]any{"url": "https://hub.test/a", "subscriptions": []string{"nope"}},
			422, `{"attributes":["subscriptions"],"message":"Subscriptions Invalid events"}`},
	}
	for _, tc := range cases {
		r := do(t, s, "POST", base, tc.hdr, tc.body)
		if r.status != tc.status || (tc.raw != "" && string(r.raw) != tc.raw) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	created := do(t, s, "POST", base, admin, map[string]any{"webhook": map[string]any{"url": "https://hub.test/a", "name": "Hub"}})
	want(t, created, 200)
	wh := dig(t, created.json(t), "payload", "webhook").(map[string]any)
	if len(wh["subscriptions"].([]any)) != len(defaultWebhookSubscriptions) || wh["secret"] == "" || wh["name"] != "Hub" {
		t.Errorf("created = %s", created.raw)
	}
	want(t, do(t, s, "POST", base, admin, map[string]any{"url": "https://hub.test/a"}), 422) // url taken
	id := itoa(num(wh["id"]))
	upd := do(t, s, "PATCH", base+"/"+id, admin, map[string]any{"subscriptions": []string{"inbox_created"}})
	want(t, upd, 200)
	list := do(t, s, "GET", base, admin, nil)
	if hooks := dig(t, list.json(t), "payload", "webhooks").([]any); len(hooks) != 1 || dig(t, hooks, 0, "subscriptions", 0) != "inbox_created" {
		t.Errorf("list = %s", list.raw)
	}
	want(t, do(t, s, "DELETE", base+"/"+id, admin, nil), 200)
	want(t, do(t, s, "DELETE", base+"/"+id, admin, nil), 404)
}

func TestContactWebhooks(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	rc := newReceiver(t)
	s.AddWebhook(1, rc.URL+"/h", "contact_created", "contact_updated")
	admin := tokenHeader(s, adminAcme)
	c := do(t, s, "POST", "/api/v1/accounts/1/contacts", admin, map[string]any{"name": "Ana", "email": "ANA@x.test"})
	want(t, c, 200)
	id := itoa(num(dig(t, c.json(t), "payload", "contact", "id")))
	want(t, do(t, s, "PUT", "/api/v1/accounts/1/contacts/"+id, admin, map[string]any{"name": "Ana"}), 200) // no change
	u := do(t, s, "PUT", "/api/v1/accounts/1/contacts/"+id, admin, map[string]any{"name": "Ana Souza"})
	want(t, u, 200)
	flush(t, s)
	// Deliveries are concurrent, like Sidekiq jobs: arrival order is not fixed.
	if got := rc.events("/h"); len(got) != 2 || !contains(got, "contact_created") || !contains(got, "contact_updated") {
		t.Fatalf("events = %v", got)
	}
	g, _ := rc.find("/h", "contact_updated")
	var p map[string]any
	_ = json.Unmarshal(g.body, &p)
	if dig(t, p, "changed_attributes", 0, "name", "previous_value") != "Ana" || p["email"] != "ana@x.test" {
		t.Errorf("contact_updated = %s", g.body)
	}
	dup := do(t, s, "POST", "/api/v1/accounts/1/contacts", admin, map[string]any{"email": "ana@x.test", "phone_number": "119"})
	if dup.status != 422 || dup.json(t)["message"] != "Email has already been taken, Phone number should be in e164 format" {
		t.Errorf("duplicate = %d %s", dup.status, dup.raw)
	}
}
