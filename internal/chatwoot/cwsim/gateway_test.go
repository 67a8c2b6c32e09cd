package cwsim

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
)

// gw is a conversation in an API inbox whose callbacks reach rc at /inbox,
// the set-up of a WhatsApp gateway.
type gw struct {
	s       *Sim
	rc      *receiver
	inbox   Inbox
	contact Contact
	conv    Conversation
	admin   http.Header
	base    string // …/conversations/{display_id}
}

func newGateway(t *testing.T, opts ...func(*Options)) gw {
	t.Helper()
	s := newSim(t, opts...)
	rc := newReceiver(t)
	ib, err := s.AddInbox(1, InboxSpec{Name: "WhatsApp", WebhookURL: rc.URL + "/inbox", MemberIDs: []int{agentAcme}})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := s.AddContact(1, ContactSpec{Name: "Maria", PhoneNumber: "+5531999990000", InboxID: ib.ID, SourceID: "5531999990000"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5531999990000"})
	flush(t, s)
	return gw{s: s, rc: rc, inbox: ib, contact: ct, conv: cv, admin: tokenHeader(s, adminAcme),
		base: "/api/v1/accounts/1/conversations/" + itoa(cv.DisplayID)}
}

// multipartBody builds a form like Chatwoot's client SDKs send it.
func multipartBody(t *testing.T, fields map[string]string, files ...Attachment) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="attachments[]"; filename="`+f.Filename+`"`)
		h.Set("Content-Type", f.ContentType)
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(f.Data)
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func doRaw(t *testing.T, s *Sim, method, path, ctype string, hdr http.Header, body []byte) result {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return result{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
}

func TestIncomingVoiceNoteInMultipart(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	quoted := do(t, g.s, "POST", g.base+"/messages", g.admin, map[string]any{"content": "oi", "message_type": "incoming", "source_id": "wamid.Q"})
	want(t, quoted, 200)
	ctype, body := multipartBody(t, map[string]string{
		"message_type": "incoming", "source_id": "wamid.V", "is_voice_message": "true",
		"content_attributes": `{"in_reply_to_external_id":"wamid.Q"}`, "external_created_at": "1763771103",
	}, Attachment{Filename: "audio.ogg", ContentType: "audio/ogg", Data: []byte("OggS voice")})
	r := doRaw(t, g.s, "POST", g.base+"/messages", ctype, g.admin, body)
	want(t, r, 200)
	m := r.json(t)
	att := dig(t, m, "attachments", 0).(map[string]any)
	if att["file_type"] != "audio" || dig(t, att, "meta", "is_voice_message") != true || att["transcribed_text"] != "" ||
		att["extension"] != "ogg" || num(att["file_size"]) != len("OggS voice") {
		t.Errorf("attachment = %v", att)
	}
	if num(dig(t, m, "content_attributes", "in_reply_to")) != num(quoted.json(t)["id"]) ||
		dig(t, m, "content_attributes", "in_reply_to_external_id") != "wamid.Q" ||
		dig(t, m, "content_attributes", "external_created_at") != "1763771103" || m["source_id"] != "wamid.V" {
		t.Errorf("message = %s", r.raw)
	}
	flush(t, g.s)
	var hook map[string]any
	for _, b := range g.rc.bodies("/inbox", "message_created") {
		if b["source_id"] == "wamid.V" {
			hook = b
		}
	}
	if hook == nil || dig(t, hook, "attachments", 0, "meta", "is_voice_message") != true {
		t.Fatalf("webhook = %v", hook)
	}
	// data_url is a Rails blob redirect on the simulator's origin.
	url := att["data_url"].(string)
	if !strings.HasPrefix(url, "http://chatwoot.test/rails/active_storage/blobs/redirect/") {
		t.Fatalf("data_url = %s", url)
	}
	redirect := do(t, g.s, "GET", strings.TrimPrefix(url, "http://chatwoot.test"), nil, nil)
	want(t, redirect, http.StatusFound)
	blob := do(t, g.s, "GET", redirect.header.Get("Location"), nil, nil)
	if blob.status != 200 || string(blob.raw) != "OggS voice" || blob.header.Get("Content-Type") != "audio/ogg" {
		t.Errorf("blob = %d %q %v", blob.status, blob.raw, blob.header)
	}
}

func TestInReplyToResolution(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	first := do(t, g.s, "POST", g.base+"/messages", g.admin, map[string]any{"content": "a", "message_type": "incoming", "source_id": "wamid.A"}).json(t)
	for _, tc := range []struct {
		attrs  map[string]any
		id     any
		extern any
	}{
		{map[string]any{"in_reply_to": first["id"]}, first["id"], "wamid.A"},
		{map[string]any{"in_reply_to_external_id": "wamid.A"}, first["id"], "wamid.A"},
		{map[string]any{"in_reply_to_external_id": "wamid.nowhere"}, nil, nil},
		{map[string]any{"in_reply_to": 999999}, nil, nil},
	} {
		r := do(t, g.s, "POST", g.base+"/messages", g.admin, map[string]any{"content": "b", "content_attributes": tc.attrs})
		want(t, r, 200)
		attrs := r.json(t)["content_attributes"].(map[string]any)
		if attrs["in_reply_to"] != tc.id || attrs["in_reply_to_external_id"] != tc.extern {
			t.Errorf("%v → %v", tc.attrs, attrs)
		}
	}
	// content_attributes as JSON text (multipart style) in a JSON body too.
	r := do(t, g.s, "POST", g.base+"/messages", g.admin, map[string]any{"content": "c", "content_attributes": `{"in_reply_to":` + itoa(num(first["id"])) + `}`})
	if dig(t, r.json(t), "content_attributes", "in_reply_to_external_id") != "wamid.A" {
		t.Errorf("JSON-string content_attributes = %s", r.raw)
	}
	bad := do(t, g.s, "POST", g.base+"/messages", g.admin, map[string]any{"content": "d", "content_attributes": "{not json"})
	if bad.status != 422 || !strings.Contains(string(bad.raw), "unexpected token") {
		t.Errorf("bad content_attributes = %d %s", bad.status, bad.raw)
	}
	files := make([]Attachment, 16)
	for i := range files {
		files[i] = Attachment{Filename: "f.txt", ContentType: "text/plain", Data: []byte("x")}
	}
	ctype, body := multipartBody(t, map[string]string{"content": "too many"}, files...)
	if r := doRaw(t, g.s, "POST", g.base+"/messages", ctype, g.admin, body); r.status != 422 {
		t.Errorf("16 attachments = %d %s", r.status, r.raw)
	}
}

func TestMessageStatusRulesAndPut(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	m, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "olá"})
	path := g.base + "/messages/" + itoa(m.ID)
	steps := []struct {
		method, status, extErr string
		wantStatus             string
		wantErr                any
	}{
		{"PUT", "delivered", "ignored unless failed", "delivered", nil},
		{"PATCH", "bogus", "", "delivered", nil},
		{"PATCH", "read", "", "read", nil},
		{"PUT", "delivered", "", "read", nil}, // read never goes back
		{"PATCH", "failed", "131047: Re-engagement message", "failed", "131047: Re-engagement message"},
	}
	for _, st := range steps {
		r := do(t, g.s, st.method, path, g.admin, map[string]any{"status": st.status, "external_error": st.extErr})
		want(t, r, 200)
		got := r.json(t)
		if got["status"] != st.wantStatus || got["content_attributes"].(map[string]any)["external_error"] != st.wantErr {
			t.Errorf("%s %s → %s", st.method, st.status, r.raw)
		}
	}
	flush(t, g.s)
	var statuses []any
	for _, b := range g.rc.bodies("/inbox", "message_updated") {
		statuses = append(statuses, b["content_attributes"].(map[string]any)["external_error"])
	}
	if len(statuses) != 3 {
		t.Errorf("message_updated to the inbox %d times (%v), want 3: delivered, read, failed", len(statuses), statuses)
	}
	want(t, do(t, g.s, "PATCH", g.base+"/messages/999999", g.admin, map[string]any{"status": "read"}), 404)
}

func TestDeleteAndRetryReachTheInbox(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.rc.status = func(string) int { return http.StatusBadGateway }
	m, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "foto",
		Attributes:  map[string]any{"in_reply_to": 1},
		Attachments: []Attachment{{Filename: "a.png", ContentType: "image/png", Data: []byte("png")}}})
	flush(t, g.s)
	msgs := g.s.Messages(1, g.conv.DisplayID)
	failed := msgs[len(msgs)-1]
	if failed.Status != "failed" || failed.ExternalError != "502 Bad Gateway" {
		t.Fatalf("one attempt, then failed: %+v", failed)
	}
	g.rc.status = func(string) int { return http.StatusOK }
	before := len(g.rc.bodies("/inbox", "message_updated"))
	want(t, do(t, g.s, "POST", g.base+"/messages/"+itoa(m.ID)+"/retry", g.admin, nil), 200)
	flush(t, g.s)
	updates := g.rc.bodies("/inbox", "message_updated")[before:]
	if len(updates) != 2 {
		t.Fatalf("retry sent %d message_updated, want 2", len(updates))
	}
	if dig(t, updates[0], "conversation") == nil || g.s.Messages(1, g.conv.DisplayID)[len(msgs)-1].Status != "sent" {
		t.Errorf("after retry: %v", updates)
	}
	var sawCleared bool
	for _, u := range updates {
		if len(u["content_attributes"].(map[string]any)) == 0 {
			sawCleared = true
		}
	}
	if !sawCleared {
		t.Errorf("retry must end with empty content_attributes: %v", updates)
	}
	blobURL := strings.TrimPrefix(m.Attachments[0].DataURL, "http://chatwoot.test")
	want(t, do(t, g.s, "GET", blobURL, nil, nil), http.StatusFound)

	r := do(t, g.s, "DELETE", g.base+"/messages/"+itoa(m.ID), g.admin, nil)
	want(t, r, 200)
	got := r.json(t)
	if got["content"] != "This message was deleted" || dig(t, got, "content_attributes", "deleted") != true || got["attachments"] != nil {
		t.Errorf("deleted = %s", r.raw)
	}
	want(t, do(t, g.s, "GET", blobURL, nil, nil), http.StatusNotFound)
	flush(t, g.s)
	last := g.rc.bodies("/inbox", "message_updated")
	if d := last[len(last)-1]; d["content"] != "This message was deleted" || dig(t, d, "content_attributes", "deleted") != true {
		t.Errorf("delete webhook = %v", d)
	}
	n := len(last)
	want(t, do(t, g.s, "DELETE", g.base+"/messages/"+itoa(m.ID), g.admin, nil), 200)
	flush(t, g.s)
	if len(g.rc.bodies("/inbox", "message_updated")) != n {
		t.Error("deleting a deleted message changed nothing and must emit nothing")
	}
}

func TestSendersAndTemplates(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	bot, err := g.s.AddAgentBot(1, "Triagem")
	if err != nil {
		t.Fatal(err)
	}
	g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{Content: "Fora do horário"})                              // automation
	g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{AgentBotID: bot.ID, Content: "Sou um robô"})              // agent bot
	g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "nota", Private: true}) // private note
	g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{MessageType: "template", ContentType: "input_csat",
		Content: "Please rate the conversation"})
	apiBot := do(t, g.s, "POST", g.base+"/messages", g.admin, map[string]any{"content": "via API", "sender_type": "AgentBot", "sender_id": bot.ID})
	if dig(t, apiBot.json(t), "sender", "type") != "agent_bot" {
		t.Errorf("API AgentBot sender = %s", apiBot.raw)
	}
	flush(t, g.s)
	bodies := g.rc.bodies("/inbox", "message_created")
	byContent := map[string]map[string]any{}
	for _, b := range bodies {
		byContent[b["content"].(string)] = b
	}
	if m := byContent["Fora do horário"]; m == nil || m["sender"] != nil || m["message_type"] != "outgoing" {
		t.Errorf("automation = %v", m)
	}
	if m := byContent["Sou um robô"]; m == nil || dig(t, m, "sender", "type") != "agent_bot" || dig(t, m, "sender", "name") != "Triagem" {
		t.Errorf("agent bot = %v", m)
	}
	if m := byContent["nota"]; m == nil || m["private"] != true {
		t.Errorf("private note = %v", m)
	}
	var csat map[string]any
	for c, b := range byContent {
		if strings.HasPrefix(c, "Please rate this conversation, http://chatwoot.test/survey/responses/") {
			csat = b
		}
	}
	if csat == nil || csat["message_type"] != "template" || csat["content_type"] != "input_csat" || csat["sender"] != nil {
		t.Errorf("CSAT = %v (all: %v)", csat, keysOfBodies(bodies))
	}
}

func keysOfBodies(bodies []map[string]any) []any {
	var out []any
	for _, b := range bodies {
		out = append(out, b["content"])
	}
	return out
}

func TestDuplicateAndLateDeliveries(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	g.s.DuplicateNext("message_created", 1)
	m, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "dup"})
	flush(t, g.s)
	var ids []string
	g.rc.mu.Lock()
	for _, r := range g.rc.got {
		var b map[string]any
		_ = json.Unmarshal(r.body, &b)
		if r.path == "/inbox" && b["event"] == "message_created" && num(b["id"]) == m.ID {
			ids = append(ids, r.header.Get("X-Chatwoot-Delivery"))
		}
	}
	g.rc.mu.Unlock()
	if len(ids) != 2 || ids[0] == ids[1] || ids[0] == "" {
		t.Errorf("a duplicated message_created came %d times with delivery ids %v", len(ids), ids)
	}

	release := g.s.HoldNext("message_created")
	first, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "first"})
	second, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "second"})
	waitFor(t, "the second message to arrive", func() bool { return hasMessage(g.rc, second.ID) })
	if hasMessage(g.rc, first.ID) {
		t.Fatal("the held delivery went out")
	}
	release()
	flush(t, g.s)
	order := []int{}
	for _, b := range g.rc.bodies("/inbox", "message_created") {
		if id := num(b["id"]); id == first.ID || id == second.ID {
			order = append(order, id)
		}
	}
	if len(order) != 2 || order[0] != second.ID {
		t.Errorf("arrival order %v, want the second (%d) before the first", order, second.ID)
	}

	all := newGateway(t, func(o *Options) { o.DuplicateRate = 1 })
	all.s.AddMessage(1, all.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "x"})
	flush(t, all.s)
	if n := len(all.rc.bodies("/inbox", "message_created")); n != 2 {
		t.Errorf("DuplicateRate 1 delivered message_created %d times", n)
	}
}

func hasMessage(rc *receiver, id int) bool {
	for _, b := range rc.bodies("/inbox", "message_created") {
		if num(b["id"]) == id {
			return true
		}
	}
	return false
}

func TestResetSecretWhileTheHubHoldsTheOldOne(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	old := g.inbox.Secret
	// The hub checks signatures with the secret it knows.
	g.rc.status = func(string) int { return http.StatusOK }
	check := g.rc
	check.mu.Lock()
	check.verify = func(h http.Header, body []byte) int {
		if Sign(old, h.Get("X-Chatwoot-Timestamp"), body) != h.Get("X-Chatwoot-Signature") {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	}
	check.mu.Unlock()
	rotated := do(t, g.s, "POST", "/api/v1/accounts/1/inboxes/"+itoa(g.inbox.ID)+"/reset_secret", g.admin, nil)
	want(t, rotated, 200)
	if rotated.json(t)["secret"] == old {
		t.Fatal("not rotated")
	}
	g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "depois"})
	flush(t, g.s)
	msgs := g.s.Messages(1, g.conv.DisplayID)
	if m := msgs[len(msgs)-1]; m.Status != "failed" || m.ExternalError != "401 Unauthorized" {
		t.Errorf("a callback the hub refuses marks the reply failed: %+v", m)
	}
}

func TestTypingReachesTheInbox(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	for _, st := range []string{"on", "recording", "off", "bogus"} {
		want(t, do(t, g.s, "POST", g.base+"/toggle_typing_status", tokenHeader(g.s, agentAcme), map[string]any{"typing_status": st, "is_private": st == "off"}), 200)
	}
	flush(t, g.s)
	on, off := g.rc.bodies("/inbox", "conversation_typing_on"), g.rc.bodies("/inbox", "conversation_typing_off")
	if len(on) != 1 || len(off) != 1 {
		t.Fatalf("typing events on %d off %d, want 1 each", len(on), len(off))
	}
	if num(dig(t, on[0], "user", "id")) != agentAcme || dig(t, on[0], "user", "type") != "user" || on[0]["is_private"] != false ||
		num(dig(t, on[0], "conversation", "id")) != g.conv.DisplayID || off[0]["is_private"] != true {
		t.Errorf("typing payloads %v / %v", on[0], off[0])
	}
	if err := g.s.SetTyping(1, g.conv.DisplayID, agentAcme, true, false); err != nil {
		t.Fatal(err)
	}
	flush(t, g.s)
	if len(g.rc.bodies("/inbox", "conversation_typing_on")) != 2 {
		t.Error("SetTyping did not emit")
	}
}

func TestContactMergeMovesEverything(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	hook := newReceiver(t)
	g.s.AddWebhook(1, hook.URL+"/h", "contact_updated")
	// The customer was saved by hand with the 9th digit; WhatsApp wrote
	// from the 12-digit id, which became a second contact.
	base, _ := g.s.AddContact(1, ContactSpec{Name: "Maria Silva", Email: "maria@x.test"})
	r := do(t, g.s, "POST", "/api/v1/accounts/1/actions/contact_merge", g.admin,
		map[string]any{"base_contact_id": base.ID, "mergee_contact_id": g.contact.ID})
	want(t, r, 200)
	merged := r.json(t)
	if num(merged["id"]) != base.ID || merged["name"] != "Maria Silva" || merged["phone_number"] != "+5531999990000" || merged["email"] != "maria@x.test" {
		t.Errorf("merged = %s", r.raw)
	}
	want(t, do(t, g.s, "GET", "/api/v1/accounts/1/contacts/"+itoa(g.contact.ID), g.admin, nil), 404)
	found := do(t, g.s, "POST", "/api/v1/accounts/1/contact_inboxes/filter", g.admin, map[string]any{"inbox_id": g.inbox.ID, "source_id": "5531999990000"})
	if num(found.json(t)["id"]) != base.ID {
		t.Errorf("the contact inbox still points elsewhere: %s", found.raw)
	}
	if cv := do(t, g.s, "GET", g.base, g.admin, nil).json(t); num(dig(t, cv, "meta", "sender", "id")) != base.ID {
		t.Errorf("the conversation did not move: %v", cv["meta"])
	}
	flush(t, g.s)
	if got := hook.bodies("/h", "contact_updated"); len(got) != 1 || num(got[0]["id"]) != base.ID {
		t.Errorf("contact_updated = %v", got)
	}
	for _, body := range []map[string]any{{"base_contact_id": base.ID, "mergee_contact_id": 999}, {"base_contact_id": "x", "mergee_contact_id": base.ID}} {
		want(t, do(t, g.s, "POST", "/api/v1/accounts/1/actions/contact_merge", g.admin, body), 404)
	}
}

func TestToggleStatusAssignsTheAgent(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	for _, tc := range []struct {
		user   int
		status string
		want   any
	}{
		{adminAcme, "open", nil},                // administrators are not assigned
		{agentAcme, "pending", nil},             // not open
		{agentAcme, "open", float64(agentAcme)}, // an agent reopening takes it
	} {
		r := do(t, g.s, "POST", g.base+"/toggle_status", tokenHeader(g.s, tc.user), map[string]any{"status": tc.status})
		want(t, r, 200)
		cv := do(t, g.s, "GET", g.base, g.admin, nil).json(t)
		got := any(nil)
		if a, has := dig(t, cv, "meta").(map[string]any)["assignee"].(map[string]any); has {
			got = a["id"]
		}
		if got != tc.want {
			t.Errorf("user %d → %s: assignee %v, want %v", tc.user, tc.status, got, tc.want)
		}
	}
}

func TestTwentySixthSignInEvictsTheOldest(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	var first, last http.Header
	for i := 0; i < 26; i++ {
		h := sessionHeader(signIn(t, s, agentAcme))
		if i == 0 {
			first = h
		}
		last = h
	}
	want(t, do(t, s, "GET", "/api/v1/profile", first, nil), 401)
	want(t, do(t, s, "GET", "/api/v1/profile", last, nil), 200)
	other := sessionHeader(signIn(t, s, adminAcme)) // per user
	want(t, do(t, s, "GET", "/api/v1/profile", other, nil), 200)
}

func TestPublicUpdateLastSeenReadsOurMessages(t *testing.T) {
	t.Parallel()
	g := newGateway(t)
	in, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{MessageType: "incoming", Content: "oi"})
	a, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "a"})
	b, _ := g.s.AddMessage(1, g.conv.DisplayID, MessageSpec{SenderUserID: agentAcme, Content: "b"})
	want(t, do(t, g.s, "PATCH", g.base+"/messages/"+itoa(b.ID), g.admin, map[string]any{"status": "delivered"}), 200)
	flush(t, g.s)
	before := len(g.rc.bodies("/inbox", "message_updated"))
	path := "/public/api/v1/inboxes/" + g.inbox.Identifier + "/contacts/5531999990000/conversations/" + itoa(g.conv.DisplayID) + "/update_last_seen"
	r := do(t, g.s, "POST", path, nil, nil)
	if r.status != 200 || len(r.raw) != 0 {
		t.Fatalf("update_last_seen = %d %q", r.status, r.raw)
	}
	flush(t, g.s)
	status := map[int]string{}
	for _, m := range g.s.Messages(1, g.conv.DisplayID) {
		status[m.ID] = m.Status
	}
	if status[a.ID] != "read" || status[b.ID] != "read" || status[in.ID] != "sent" {
		t.Errorf("statuses after the customer read: %v", status)
	}
	if n := len(g.rc.bodies("/inbox", "message_updated")) - before; n != 2 {
		t.Errorf("%d message_updated, want one per message read", n)
	}
	cv := do(t, g.s, "GET", g.base, g.admin, nil).json(t)
	if num(cv["contact_last_seen_at"]) != int(testNow.Unix()) {
		t.Errorf("contact_last_seen_at = %v", cv["contact_last_seen_at"])
	}
	for _, bad := range []string{
		"/public/api/v1/inboxes/nope/contacts/5531999990000/conversations/" + itoa(g.conv.DisplayID) + "/update_last_seen",
		"/public/api/v1/inboxes/" + g.inbox.Identifier + "/contacts/5500/conversations/" + itoa(g.conv.DisplayID) + "/update_last_seen",
		"/public/api/v1/inboxes/" + g.inbox.Identifier + "/contacts/5531999990000/conversations/999/update_last_seen",
	} {
		want(t, do(t, g.s, "POST", bad, nil, nil), 404)
	}
}
