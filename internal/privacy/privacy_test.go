package privacy_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/privacy"
)

type env struct {
	h     *apptest.Hub
	clock *apptest.Clock
	super *apptest.Session
	a, b  *apptest.Tenant
}

func setup(t *testing.T, dialect string) *env {
	t.Helper()
	clock := apptest.NewClock()
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000"),
		AppOpts: app.Options{Now: clock.Now}})
	super := h.LoginSuper()
	return &env{h: h, clock: clock, super: super, a: h.NewTenant(super, "Alpha "+apptest.UniqueEmail("a")), b: h.NewTenant(super, "Beta "+apptest.UniqueEmail("b"))}
}

// seed gives a tenant a key, a board with a card of a contact, and a chat
// message, and answers what its export must hold.
func (e *env) seed(t *testing.T, tn *apptest.Tenant, label string) (key apptest.APIKey, cardID string) {
	t.Helper()
	A := "/api/v1/accounts/" + tn.ID
	key = e.h.CreateAPIKey(tn.Admin.Token, tn.ID, label+"-key", "users:read")
	var b struct{ ID string }
	e.h.Do(apptest.Req{Method: "POST", Path: A + "/boards", Token: tn.Admin.Token, Body: map[string]any{"name": label + " board"}}).Expect(t, 201).Decode(t, &b)
	var c struct{ ID string }
	e.h.Do(apptest.Req{Method: "POST", Path: A + "/boards/" + b.ID + "/cards", Token: tn.Admin.Token,
		Body: map[string]any{"title": label + " deal"}}).Expect(t, 201).Decode(t, &c)
	// The contact comes from Chatwoot (the mirror); set it as the mirror does.
	e.h.Exec(`UPDATE kanban_cards SET contact_id = 4242, contact_name = $2, contact_phone = $3 WHERE id = $1`, c.ID, label+" Maria Silva", "+5511999990000")
	var rm struct{ ID string }
	e.h.Do(apptest.Req{Method: "POST", Path: A + "/chat/rooms", Token: tn.Admin.Token,
		Body: map[string]any{"type": "public", "name": strings.ToLower(label) + "-general"}}).Expect(t, 201).Decode(t, &rm)
	e.h.Do(apptest.Req{Method: "POST", Path: A + "/chat/rooms/" + rm.ID + "/messages", Token: tn.Admin.Token,
		Body: map[string]any{"content": label + " says hello"}}).Expect(t, 201)
	return key, c.ID
}

func (e *env) export(t *testing.T, tn *apptest.Tenant) (map[string][]map[string]any, string) {
	t.Helper()
	r := e.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + tn.ID + "/export", Token: tn.Admin.Token}).Expect(t, 200)
	if !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export is not an attachment: %v", r.Header)
	}
	var doc struct {
		Format    string                      `json:"format"`
		AccountID string                      `json:"account_id"`
		Sections  map[string][]map[string]any `json:"sections"`
	}
	r.Decode(t, &doc)
	if doc.Format != "whatpro-account-export/1" || doc.AccountID != tn.ID {
		t.Fatalf("export head: %+v", doc)
	}
	return doc.Sections, string(r.Body)
}

func verify(t *testing.T, h *apptest.Hub) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), h.App.DB, h.App.Keys)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("audit verify fails: %+v", rep.Broken())
	}
}

// The export holds the account's users, keys (without secrets), audit,
// boards, cards and chat, and nothing of another account.
func TestExport(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		// A domain whose table is not there yet answers an empty section.
		e.h.App.Privacy.AddSections(privacy.Section{Name: "later", IfTable: "no_such_table", Query: `SELECT * FROM no_such_table WHERE account_id = $1`})
		key, _ := e.seed(t, e.a, "Alpha")
		bkey, _ := e.seed(t, e.b, "Beta")
		secs, raw := e.export(t, e.a)
		for _, want := range []string{"later", "users", "api_keys", "audit", "boards", "stages", "cards", "card_notes", "card_history",
			"chat_rooms", "chat_members", "chat_messages", "chat_message_edits", "chat_reactions", "chat_attachments"} {
			if _, ok := secs[want]; !ok {
				t.Errorf("the export lacks section %s", want)
			}
		}
		for _, want := range []string{e.a.Admin.Email, key.Prefix, "Alpha board", "Alpha deal", "Alpha Maria Silva", "Alpha says hello", "account.exported"} {
			if !strings.Contains(raw, want) {
				t.Errorf("the export lacks %q", want)
			}
		}
		for _, bad := range []string{key.Key, strings.SplitN(key.Key, ".", 2)[1], apptest.Password, "password_hash", "secret_hash", "totp_secret",
			e.b.Admin.Email, bkey.Prefix, "Beta board", "Beta says hello"} {
			if strings.Contains(raw, bad) {
				t.Errorf("the export holds %q", bad)
			}
		}
		if len(secs["cards"]) != 1 || secs["cards"][0]["contact_phone"] != "+5511999990000" {
			t.Errorf("cards: %v", secs["cards"])
		}
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "another account", Method: "GET", Path: "/api/v1/accounts/" + e.b.ID + "/export", Header: apptest.Bearer(e.a.Admin.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "an agent", Method: "GET", Path: "/api/v1/accounts/" + e.a.ID + "/export",
				Header: apptest.Bearer(e.h.NewMember(e.super.Token, e.a.ID, "agent").Token), Status: 403, Code: "FORBIDDEN"},
		})
	})
}

// A deletion waits out its grace, can be cancelled, and then purges every
// row of the account and its audit chain; the other account and the hub
// chain stay, and the log still verifies.
func TestAccountDeletion(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.seed(t, e.a, "Alpha")
		e.seed(t, e.b, "Beta")
		D := "/api/v1/accounts/" + e.a.ID + "/deletion"
		tok := apptest.Bearer(e.a.Admin.Token)
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "none yet", Method: "GET", Path: D, Header: tok, Status: 404, Code: "NOT_FOUND"},
			{Name: "wrong name", Method: "POST", Path: D, Header: tok, Body: map[string]any{"confirm_name": "nope"}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "request", Method: "POST", Path: D, Header: tok, Body: map[string]any{"confirm_name": e.a.Name}, Status: 202, Contains: []string{"purge_after"}},
			{Name: "twice", Method: "POST", Path: D, Header: tok, Body: map[string]any{"confirm_name": e.a.Name}, Status: 409, Code: "CONFLICT"},
			{Name: "scheduled", Method: "GET", Path: D, Header: tok, Status: 200, Contains: []string{e.a.ID}},
			{Name: "cancel", Method: "DELETE", Path: D, Header: tok, Status: 204},
			{Name: "again", Method: "POST", Path: D, Header: tok, Body: map[string]any{"confirm_name": e.a.Name}, Status: 202},
		})
		ctx := context.Background()
		must(t, e.h.App.Privacy.PurgeDue(ctx))
		if n := e.h.Count(`SELECT count(*) FROM accounts WHERE id = $1`, e.a.ID); n != 1 {
			t.Fatal("the account was purged before its grace ended")
		}
		e.clock.Advance(31 * 24 * time.Hour)
		must(t, e.h.App.Privacy.PurgeDue(ctx))
		for _, table := range []string{"accounts", "memberships", "api_keys", "kanban_boards", "kanban_cards", "chat_messages", "events", "audit_logs"} {
			col := "account_id"
			if table == "accounts" {
				col = "id"
			}
			if n := e.h.Count(`SELECT count(*) FROM `+table+` WHERE `+col+` = $1`, e.a.ID); n != 0 {
				t.Errorf("%d rows of the purged account left in %s", n, table)
			}
			if table != "accounts" && table != "events" && e.h.Count(`SELECT count(*) FROM `+table+` WHERE `+col+` = $1`, e.b.ID) == 0 {
				t.Errorf("the other account lost its %s", table)
			}
		}
		if n := e.h.Count(`SELECT count(*) FROM audit_heads WHERE chain_id = $1`, e.a.ID); n != 0 {
			t.Error("the purged account's chain head is left")
		}
		if n := e.h.Count(`SELECT count(*) FROM audit_logs WHERE chain_id = 'hub' AND action = 'account.purged' AND resource_id = $1`, e.a.ID); n != 1 {
			t.Errorf("%d account.purged entries on the hub chain", n)
		}
		verify(t, e.h)
	})
}

// Erasing a user leaves a tombstone that cannot sign in and audit entries
// without their personal fields; erasing a contact clears the cards; the
// log still verifies.
func TestErasure(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		_, cardID := e.seed(t, e.a, "Alpha")
		email := apptest.UniqueEmail("erased")
		m := e.h.AddUser(e.a.Admin.Token, e.a.ID, email, "agent")
		e.h.Login(email, apptest.Password)
		if n := e.h.Count(`SELECT count(*) FROM audit_logs WHERE (actor_id = $1 OR resource_id = $1) AND ip <> ''`, m.ID); n == 0 {
			t.Fatal("no audit entry of the user holds an ip: nothing to erase")
		}
		var out struct {
			Domains map[string]int `json:"domains"`
			Audit   struct{ Rows, Kept int }
		}
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "admin may not erase a user", Method: "POST", Path: "/api/v1/users/" + m.ID + "/erasure", Header: apptest.Bearer(e.a.Admin.Token), Status: 403, Code: "FORBIDDEN"},
			{Name: "unknown user", Method: "POST", Path: "/api/v1/users/" + e.a.ID + "/erasure", Header: apptest.Bearer(e.super.Token), Status: 404, Code: "NOT_FOUND"},
		})
		e.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/users/" + m.ID + "/erasure", Token: e.super.Token}).Expect(t, 200).Decode(t, &out)
		if out.Domains["iam"] == 0 || out.Audit.Rows == 0 {
			t.Fatalf("erasure: %+v", out)
		}
		if n := e.h.Count(`SELECT count(*) FROM users WHERE email = $1 OR name = $2`, email, m.Name); n != 0 {
			t.Error("the user's e-mail or name is still stored")
		}
		if n := e.h.Count(`SELECT count(*) FROM audit_logs WHERE (actor_id = $1 OR resource_id = $1) AND erased_at IS NULL AND mac_version = 2
			AND action <> 'user.erased'`, m.ID); n != 0 {
			t.Errorf("%d audit entries of the user kept their personal fields", n)
		}
		if n := e.h.Count(`SELECT count(*) FROM audit_logs WHERE before LIKE $1 OR after LIKE $1`, "%"+email+"%"); n != 0 {
			t.Errorf("%d audit entries still hold the e-mail", n)
		}
		// Only now try to sign in as the erased user: the failed login is
		// audited by a job with the e-mail that was typed, a new event the
		// checks above must not race with.
		e.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]any{"email": email, "password": apptest.Password}}).ExpectError(t, 401, "UNAUTHORIZED")
		var ce struct {
			Domains map[string]int `json:"domains"`
		}
		e.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + e.a.ID + "/contacts/4242/erasure", Token: e.a.Admin.Token}).Expect(t, 200).Decode(t, &ce)
		if ce.Domains["kanban"] != 1 {
			t.Errorf("contact erasure: %+v", ce)
		}
		if n := e.h.Count(`SELECT count(*) FROM kanban_cards WHERE id = $1 AND contact_name = '' AND contact_phone = ''`, cardID); n != 1 {
			t.Error("the card keeps the contact's name or phone")
		}
		e.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + e.b.ID + "/contacts/4242/erasure", Token: e.a.Admin.Token}).ExpectError(t, 404, "NOT_FOUND")
		_, raw := e.export(t, e.a)
		if strings.Contains(raw, "Maria Silva") || strings.Contains(raw, email) {
			t.Error("the export still holds erased data")
		}
		verify(t, e.h)
		// Tampering with a tombstone is still caught.
		e.h.Exec(`UPDATE audit_logs SET ip = '10.0.0.1' WHERE erased_at IS NOT NULL AND actor_id = $1`, m.ID)
		if rep, err := audit.Verify(context.Background(), e.h.App.DB, e.h.App.Keys); err != nil || rep.OK {
			t.Fatalf("a refilled tombstone verified: %v %+v", err, rep)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = json.Marshal
