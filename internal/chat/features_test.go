package chat_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// A message referencing a Chatwoot conversation: the card (contact,
// inbox, status, last message) only for people allowed to see the
// conversation; others learn that one was referenced, nothing of it.
func TestConversationReference(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
		srv := httptest.NewServer(sim.Handler())
		t.Cleanup(srv.Close)
		t.Cleanup(sim.Close)
		e := setup(t, dialect)
		var token string
		for _, u := range sim.Seed().Users {
			if u.Email == "ana@acme.test" {
				token = u.APIAccessToken
			}
		}
		e.do(t, e.tenant.Admin.Token, "PUT", e.path("/chatwoot"), map[string]any{"base_url": srv.URL, "chatwoot_account_id": 1,
			"api_access_token": token}).Expect(t, 200)
		inbox, err := sim.AddInbox(1, cwsim.InboxSpec{Name: "WhatsApp"})
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := sim.AddContact(1, cwsim.ContactSpec{Name: "Maria Cliente", PhoneNumber: "+5511988887777", InboxID: inbox.ID})
		conv, err := sim.AddConversation(1, cwsim.ConversationSpec{InboxID: inbox.ID, ContactID: ct.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sim.AddMessage(1, conv.DisplayID, cwsim.MessageSpec{MessageType: "incoming", Content: "Quero o **plano** anual"}); err != nil {
			t.Fatal(err)
		}
		seer, blind := e.member(t, "Sara Vê"), e.member(t, "Bruno Cego")
		e.h.Exec(`INSERT INTO chatwoot_inbox_members (account_id, user_id, inbox_id, synced_at) VALUES ($1, $2, $3, $4)`,
			e.tenant.ID, seer.UserID, inbox.ID, time.Now().UTC())
		rm := e.createRoom(t, seer.Token, map[string]any{"type": "public", "name": "Casos", "member_ids": []string{blind.UserID}})

		// Only someone who sees the conversation may reference it.
		e.do(t, blind.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages"), map[string]any{"content": "olha", "conversation_id": conv.DisplayID}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		m := e.send(t, seer.Token, rm.ID, map[string]any{"content": "Vamos discutir este caso", "conversation_id": conv.DisplayID})
		if m.Conversation == nil || !m.Conversation.Referenced {
			t.Fatalf("reference %+v", m.Conversation)
		}
		for _, tok := range []string{seer.Token, blind.Token} {
			var got message
			r := e.do(t, tok, "GET", e.chat("/rooms/"+rm.ID+"/messages/"+m.ID), nil).Expect(t, 200)
			r.Decode(t, &got)
			for _, leak := range []string{"Maria", "8887777", "plano", `"inbox_id"`} {
				if strings.Contains(string(r.Body), leak) {
					t.Fatalf("the message holds %q of the conversation: %s", leak, r.Body)
				}
			}
		}
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "seer opens the card", Method: "GET", Path: m.Conversation.CardURL, Header: apptest.Bearer(seer.Token), Status: 200,
				Contains: []string{`"name":"Maria Cliente"`, `"phone_number":"+5511988887777"`, `"status":"open"`, `Quero o plano anual`,
					`"message_type":"incoming"`}},
			{Name: "blind gets nothing", Method: "GET", Path: m.Conversation.CardURL, Header: apptest.Bearer(blind.Token), Status: 404,
				Code: "NOT_FOUND", Lacks: []string{"Maria"}},
			{Name: "admin sees it", Method: "GET", Path: m.Conversation.CardURL, Header: apptest.Bearer(e.tenant.Admin.Token), Status: 200,
				Contains: []string{"Maria Cliente"}},
		})
	})
}

// Search finds words (prefixes, accents and case ignored) only in rooms
// the caller belongs to, never in deleted messages.
func TestSearch(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		ana, bia := e.member(t, "Ana"), e.member(t, "Bia")
		shared := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Time", "member_ids": []string{bia.UserID}})
		anas := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Só Ana"})
		pub := e.createRoom(t, ana.Token, map[string]any{"type": "public", "name": "Aberta"})
		hit := e.say(t, ana.Token, shared.ID, "A **promoção** de Natal começa amanhã")
		e.say(t, ana.Token, anas.ID, "promoção secreta")
		e.say(t, ana.Token, pub.ID, "promoção pública")
		gone := e.say(t, ana.Token, shared.ID, "promoção cancelada")
		e.do(t, ana.Token, "DELETE", e.chat("/rooms/"+shared.ID+"/messages/"+gone.ID), nil).Expect(t, 204)
		other := e.h.NewTenant(e.super, "Other")
		orm := (&env{h: e.h, super: e.super, tenant: other}).createRoom(t, other.Admin.Token, map[string]any{"type": "public", "name": "x"})
		(&env{h: e.h, super: e.super, tenant: other}).say(t, other.Admin.Token, orm.ID, "promoção de outro cliente")

		var res struct {
			Data []message `json:"data"`
		}
		e.do(t, bia.Token, "GET", e.chat("/search?q=PROMOCAO+nat"), nil).Expect(t, 200).Decode(t, &res)
		if len(res.Data) != 1 || res.Data[0].ID != hit.ID {
			t.Fatalf("bia's search %+v", res.Data)
		}
		e.do(t, bia.Token, "GET", e.chat("/search?q=promo"), nil).Expect(t, 200).Decode(t, &res)
		if len(res.Data) != 1 {
			t.Fatalf("bia sees %d results, want her one room's", len(res.Data))
		}
		e.do(t, ana.Token, "GET", e.chat("/search?q=promo&limit=1"), nil).Expect(t, 200).Decode(t, &res)
		var all struct {
			Data       []message `json:"data"`
			Pagination struct {
				HasMore    bool   `json:"has_more"`
				NextCursor string `json:"next_cursor"`
			} `json:"pagination"`
		}
		e.do(t, ana.Token, "GET", e.chat("/search?q=promo&limit=2"), nil).Expect(t, 200).Decode(t, &all)
		if len(all.Data) != 2 || !all.Pagination.HasMore {
			t.Fatalf("ana's first page %+v", all)
		}
		e.do(t, ana.Token, "GET", e.chat("/search?q=promo&limit=2&cursor="+all.Pagination.NextCursor), nil).Expect(t, 200).Decode(t, &all)
		if len(all.Data) != 1 || all.Pagination.HasMore {
			t.Fatalf("ana's second page %+v", all)
		}
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "no words", Method: "GET", Path: e.chat("/search?q=%22%29%28*"), Header: apptest.Bearer(bia.Token), Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "syntax is words only", Method: "GET", Path: e.chat("/search?q=promo%22+OR+*%3A%26%21"), Header: apptest.Bearer(bia.Token), Status: 200},
			{Name: "one room", Method: "GET", Path: e.chat("/search?q=promo&room_id=" + anas.ID), Header: apptest.Bearer(bia.Token), Status: 200,
				Lacks: []string{"secreta"}},
		})
	})
}

// Retention deletes messages older than the account's setting, with their
// attachments, and tells the rooms.
func TestRetention(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		admin := e.tenant.Admin.Token
		ana, bia := e.member(t, "Ana"), e.member(t, "Bia")
		rm := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Time", "member_ids": []string{bia.UserID}})
		var att attachment
		e.upload(t, ana.Token, rm.ID, "velho.txt", []byte("antigo")).Expect(t, 201).Decode(t, &att)
		old := e.send(t, ana.Token, rm.ID, map[string]any{"content": "antigo", "attachment_ids": []string{att.ID}})
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+old.ID+"/reactions"), map[string]any{"emoji": "👍"}).Expect(t, 200)
		recent := e.say(t, ana.Token, rm.ID, "recente")
		e.h.Exec(`UPDATE chat_messages SET created_at = $1 WHERE room_id = $2 AND seq <= $3`, time.Now().UTC().AddDate(0, 0, -40), rm.ID, old.Seq)

		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "agents may not", Method: "PUT", Path: e.chat("/settings"), Header: apptest.Bearer(ana.Token),
				Body: map[string]any{"retention_days": 30}, Status: 403, Code: "FORBIDDEN"},
			{Name: "bad value", Method: "PUT", Path: e.chat("/settings"), Header: apptest.Bearer(admin),
				Body: map[string]any{"retention_days": -1}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "admin sets 30 days", Method: "PUT", Path: e.chat("/settings"), Header: apptest.Bearer(admin),
				Body: map[string]any{"retention_days": 30}, Status: 200, Contains: []string{`"retention_days":30`}},
			{Name: "members read it", Method: "GET", Path: e.chat("/settings"), Header: apptest.Bearer(ana.Token), Status: 200,
				Contains: []string{`"retention_days":30`}},
		})
		bs := e.connect(t, bia.Token)
		bs.subscribe(nil)
		if err := e.h.App.Chat.Retain(context.Background(), time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		p := e.messages(t, bia.Token, rm.ID, "")
		if len(p.Data) != 1 || p.Data[0].ID != recent.ID {
			t.Fatalf("after retention: %+v", p.Data)
		}
		if n := e.h.Count(`SELECT count(*) FROM chat_attachments WHERE id = $1`, att.ID); n != 0 {
			t.Fatal("the old message's attachment stayed")
		}
		if n := e.h.Count(`SELECT count(*) FROM chat_reactions WHERE message_id = $1`, old.ID); n != 0 {
			t.Fatal("the old message's reactions stayed")
		}
		if m, _ := bs.until(isEvent("chat.room.pruned")); !strings.Contains(string(m.Data), rm.ID) {
			t.Fatalf("pruned event %s", m.Data)
		}
		if r := e.room(t, bia.Token, rm.ID); r.UnreadCount != 1 {
			t.Fatalf("bia's unread after retention %d, want 1", r.UnreadCount)
		}
		found := false
		for _, row := range e.h.AuditLog(admin, e.tenant.ID, nil) {
			found = found || row.Action == "chat.retention.deleted"
		}
		if !found {
			t.Fatal("retention run not audited")
		}
	})
}

// The feature flag and scopes guard every chat route.
func TestFeatureAndScopes(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		rm := e.createRoom(t, tok, map[string]any{"type": "public", "name": "Geral"})
		read := e.h.CreateAPIKey(tok, e.tenant.ID, "chat-read", "chat:read")
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "read key lists", Method: "GET", Path: e.chat("/rooms"), Header: apptest.KeyHeader(read.Key), Status: 200},
			{Name: "read key may not send", Method: "POST", Path: e.chat("/rooms/" + rm.ID + "/messages"), Header: apptest.KeyHeader(read.Key),
				Body: map[string]any{"content": "x"}, Status: 403, Code: "FORBIDDEN"},
		})
		e.do(t, e.super.Token, "PUT", e.path("/features"), map[string]any{"internal_chat": false}).Expect(t, 200)
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "feature off", Method: "GET", Path: e.chat("/rooms"), Header: apptest.Bearer(tok), Status: 403, Code: "FEATURE_DISABLED"},
			{Name: "feature off upload", Method: "POST", Path: e.chat("/rooms/" + rm.ID + "/attachments"), Header: apptest.Bearer(tok),
				Status: 403, Code: "FEATURE_DISABLED"},
		})
		s := e.connect(t, tok)
		s.send(map[string]any{"type": "subscribe", "topics": []string{"chat"}})
		if m := s.next(); m.Type != "error" || m.Code != "FEATURE_DISABLED" {
			t.Fatalf("subscribe with the feature off: %+v", m)
		}
	})
}

// The plan's chat limits: attachment storage and rooms.
func TestPlanLimits(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		e.do(t, e.super.Token, "PUT", e.path("/plan"), map[string]any{"plan_id": "default",
			"overrides": map[string]int{"max_chat_storage_mb": 1, "max_chat_rooms": 2}}).Expect(t, 200)
		rm := e.createRoom(t, tok, map[string]any{"type": "public", "name": "Um"})
		e.createRoom(t, tok, map[string]any{"type": "public", "name": "Dois"})
		e.do(t, tok, "POST", e.chat("/rooms"), map[string]any{"type": "public", "name": "Três"}).ExpectError(t, 422, "LIMIT_EXCEEDED")
		e.upload(t, tok, rm.ID, "a.txt", []byte("first")).Expect(t, 201)
		r := e.upload(t, tok, rm.ID, "b.txt", []byte("second"))
		apptest.Check(t, apptest.Scenario{Name: "storage full", Status: 422, Code: "LIMIT_EXCEEDED", Contains: []string{"max_chat_storage_mb"}}, r)
		if n := e.h.Count(`SELECT count(*) FROM chat_attachments WHERE account_id = $1`, e.tenant.ID); n != 1 {
			t.Fatalf("%d attachments stored", n)
		}
		var ent map[string]any
		e.do(t, tok, "GET", e.path("/entitlements"), nil).Expect(t, 200).Decode(t, &ent)
		if !strings.Contains(jsonString(ent), "max_chat_rooms") {
			t.Fatalf("entitlements lack the chat limits: %v", ent)
		}
	})
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
