package cwsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Inbox events carry Inbox::EventDataPresenter#push_data (A9), and a PATCH
// that only changes the channel row emits no inbox_updated (A10).
func TestInboxEventsArePresenterData(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	rc := newReceiver(t)
	if _, err := s.AddWebhook(1, rc.URL+"/h", "inbox_created", "inbox_updated"); err != nil {
		t.Fatal(err)
	}
	admin := tokenHeader(s, adminAcme)
	ib := createInboxAPI(t, s, 1, adminAcme, "WA", "https://hub.test/a")
	path := "/api/v1/accounts/1/inboxes/" + itoa(num(ib["id"]))
	want(t, do(t, s, "PATCH", path, admin, map[string]any{"channel": map[string]any{"webhook_url": "https://hub.test/b", "hmac_mandatory": true}}), 200)
	flush(t, s)
	if got := rc.events("/h"); len(got) != 1 || got[0] != "inbox_created" {
		t.Fatalf("a channel-only PATCH must emit nothing; events %v", got)
	}
	if s.Inboxes(1)[0].WebhookURL != "https://hub.test/b" {
		t.Fatal("the channel change was not stored")
	}
	want(t, do(t, s, "PATCH", path, admin, map[string]any{"greeting_enabled": true, "channel": map[string]any{"webhook_url": "https://hub.test/c"}}), 200)
	flush(t, s)
	g, found := rc.find("/h", "inbox_created")
	u, updated := rc.find("/h", "inbox_updated")
	if !found || !updated {
		t.Fatalf("events %v", rc.events("/h"))
	}
	var created, upd map[string]any
	_ = json.Unmarshal(g.body, &created)
	_ = json.Unmarshal(u.body, &upd)
	wantKeys := []string{"account", "allow_messages_after_resolved", "auto_assignment_config", "business_name", "channel",
		"created_at", "csat_survey_enabled", "enable_auto_assignment", "enable_email_collect", "event", "greeting_enabled",
		"greeting_message", "lock_to_single_conversation", "out_of_office_message", "sender_name_type", "timezone",
		"updated_at", "working_hours", "working_hours_enabled"}
	if got := keysOf(created); !slices.Equal(got, wantKeys) {
		t.Errorf("inbox_created keys\n got %v\nwant %v", got, wantKeys)
	}
	if dig(t, created, "channel", "webhook_url") != "https://hub.test/a" || dig(t, created, "channel", "secret") == nil ||
		num(dig(t, created, "channel", "id")) != num(ib["channel_id"]) || len(created["working_hours"].([]any)) != 7 ||
		dig(t, created, "working_hours", 1, "open_hour") != float64(9) {
		t.Errorf("inbox_created = %s", g.body)
	}
	changed := map[string]bool{}
	for _, c := range upd["changed_attributes"].([]any) {
		for k := range c.(map[string]any) {
			changed[k] = true
		}
	}
	if !changed["greeting_enabled"] || !changed["updated_at"] || changed["webhook_url"] || len(changed) != 2 {
		t.Errorf("changed_attributes = %v; the inbox's own columns only", upd["changed_attributes"])
	}
	if dig(t, upd, "channel", "webhook_url") != "https://hub.test/c" {
		t.Errorf("inbox_updated carries the current channel row: %s", u.body)
	}
}

// FileTypeHelper maps image and video only for a whitelist (A11).
func TestAttachmentFileTypeWhitelist(t *testing.T) {
	t.Parallel()
	for ctype, want := range map[string]string{
		"image/jpeg": "image", "image/png": "image", "image/webp": "image", "image/heic": "file", "image/svg+xml": "file",
		"image/jpeg; charset=binary": "file", "video/mp4": "video", "video/quicktime": "video", "video/3gpp": "file",
		"audio/ogg": "audio", "audio/ogg; codecs=opus": "audio", "audio/mpeg": "audio", "application/pdf": "file", "": "file",
	} {
		if got := fileType(ctype); got != want {
			t.Errorf("fileType(%q) = %s, want %s", ctype, got, want)
		}
	}
}

// Webhook content is normalized like WebhookContentNormalizer and a CSAT
// survey carries its link (A12); the REST API keeps the stored content.
func TestWebhookContentNormalized(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	rc := newReceiver(t)
	ib, _ := s.AddInbox(1, InboxSpec{Name: "WA", WebhookURL: rc.URL + "/inbox"})
	ct, _ := s.AddContact(1, ContactSpec{Name: "Ana", InboxID: ib.ID, SourceID: "5511"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5511"})
	stored := "**Olá**\\\nlinha 2\\\r\nlinha 3\n\n"
	m, err := s.AddMessage(1, cv.DisplayID, MessageSpec{SenderUserID: adminAcme, Content: stored})
	if err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	g, _ := rc.find("/inbox", "message_created")
	var p map[string]any
	_ = json.Unmarshal(g.body, &p)
	if p["content"] != "**Olá**\nlinha 2\nlinha 3" {
		t.Errorf("webhook content = %q", p["content"])
	}
	api := do(t, s, "GET", "/api/v1/accounts/1/conversations/"+itoa(cv.DisplayID)+"/messages", tokenHeader(s, adminAcme), nil)
	if got := dig(t, api.json(t), "payload", 0, "content"); got != stored || m.Content != stored {
		t.Errorf("the API keeps the stored markdown, got %q", got)
	}
	want(t, do(t, s, "POST", "/api/v1/accounts/1/conversations/"+itoa(cv.DisplayID)+"/messages", tokenHeader(s, adminAcme),
		map[string]any{"content": "Please rate the conversation", "message_type": "template", "content_type": "input_csat"}), 200)
	flush(t, s)
	var csat map[string]any
	for _, ev := range rc.bodies("/inbox", "message_created") {
		if ev["content_type"] == "input_csat" {
			csat = ev
		}
	}
	uuid := ""
	for _, c := range s.Conversations(1) {
		uuid = c.UUID
	}
	if csat == nil || csat["message_type"] != "template" ||
		csat["content"] != "Please rate this conversation, http://chatwoot.test/survey/responses/"+uuid {
		t.Errorf("CSAT webhook = %v", csat)
	}
}

// A21: over the plan's inbox limit, creation answers 402.
func TestInboxLimit(t *testing.T) {
	t.Parallel()
	s := newSim(t, func(o *Options) { o.InboxLimit = 1 })
	createInboxAPI(t, s, 1, adminAcme, "First", "")
	r := do(t, s, "POST", "/api/v1/accounts/1/inboxes", tokenHeader(s, adminAcme),
		map[string]any{"name": "Second", "channel": map[string]any{"type": "api"}})
	if r.status != http.StatusPaymentRequired || string(r.raw) != `{"error":"Account limit exceeded. Upgrade to a higher plan"}` {
		t.Errorf("over the limit: %d %s", r.status, r.raw)
	}
	if len(s.Inboxes(1)) != 1 {
		t.Error("a refused inbox was stored")
	}
	createInboxAPI(t, s, 2, adminBeta, "Other account", "") // limits are per account
	s.SetInboxLimit(1, 0)
	createInboxAPI(t, s, 1, adminAcme, "Second", "")
}

// A23: contacts permit top-level keys only, so a wrapped body creates an
// empty contact and a wrapped update changes nothing.
func TestWrappedContactBodyIsIgnored(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	admin := tokenHeader(s, adminAcme)
	r := do(t, s, "POST", "/api/v1/accounts/1/contacts", admin,
		map[string]any{"contact": map[string]any{"name": "Maria", "phone_number": "+5511999990000", "identifier": "x"}})
	want(t, r, 200)
	c := dig(t, r.json(t), "payload", "contact").(map[string]any)
	if c["name"] != "" || c["phone_number"] != nil || c["identifier"] != nil {
		t.Errorf("wrapped create = %s", r.raw)
	}
	id := itoa(num(c["id"]))
	want(t, do(t, s, "PUT", "/api/v1/accounts/1/contacts/"+id, admin, map[string]any{"name": "Ana"}), 200)
	u := do(t, s, "PUT", "/api/v1/accounts/1/contacts/"+id, admin, map[string]any{"contact": map[string]any{"name": "Bia"}})
	if got := dig(t, u.json(t), "payload", "name"); got != "Ana" {
		t.Errorf("a wrapped update changed the name to %v", got)
	}
	if strings.Contains(string(u.raw), "Bia") {
		t.Error("the wrapped value leaked")
	}
}
