package iam_test

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
)

var keyFormat = regexp.MustCompile(`^wp_live_([a-z2-7]{12})\.[A-Za-z0-9_-]{43}$`)

func TestAPIKeys(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		clk := apptest.NewClock()
		h := newHub(t, dialect, apptest.Options{AppOpts: app.Options{Now: clk.Now}})
		super := h.LoginSuper()
		acme, globex := h.NewTenant(super, "Acme"), h.NewTenant(super, "Globex")
		keys := "/api/v1/accounts/" + acme.ID + "/api-keys"
		users := "/api/v1/accounts/" + acme.ID + "/users"

		// The full key is answered once, in the documented shape.
		var k apptest.APIKey
		h.Do(apptest.Req{Method: "POST", Path: keys, Token: acme.Admin.Token,
			Body: map[string]any{"name": " ci ", "scopes": []string{"users:read", "account:read", "users:read"}}}).Expect(t, 201).Decode(t, &k)
		m := keyFormat.FindStringSubmatch(k.Key)
		if m == nil || m[1] != k.Prefix || k.Name != "ci" || !slices.Equal(k.Scopes, []string{"account:read", "users:read"}) || k.ExpiresAt != nil {
			t.Fatalf("created key %+v: want wp_live_<prefix>.<secret>, trimmed name, sorted unique scopes", k)
		}
		secretPart := strings.SplitN(k.Key, ".", 2)[1]
		if n := h.Count(`SELECT count(*) FROM api_keys WHERE secret_hash = $1 OR secret_hash = $2`, k.Key, secretPart); n != 0 {
			t.Fatal("the key is stored in clear")
		}

		expiring := h.CreateAPIKey(acme.Admin.Token, acme.ID, "short-lived", "users:read")
		exp := clk.Now().Add(time.Hour).UTC().Truncate(time.Second)
		var dated apptest.APIKey
		h.Do(apptest.Req{Method: "POST", Path: keys, Token: acme.Admin.Token,
			Body: map[string]any{"name": "dated", "scopes": []string{"users:read"}, "expires_at": exp}}).Expect(t, 201).Decode(t, &dated)
		if dated.ExpiresAt == nil || !dated.ExpiresAt.Equal(exp) {
			t.Fatalf("expires_at %v, want %v", dated.ExpiresAt, exp)
		}
		revoked := h.CreateAPIKey(acme.Admin.Token, acme.ID, "to-revoke", "users:read")
		writer := h.CreateAPIKey(acme.Admin.Token, acme.ID, "writer", "users:write", "keys:write", "keys:read")
		agent := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		sup := h.NewMember(acme.Admin.Token, acme.ID, "supervisor")

		apptest.Run(t, h, []apptest.Scenario{
			{Name: "X-API-Key", Method: "GET", Path: users, Header: apptest.KeyHeader(k.Key), Status: 200, Contains: []string{acme.Admin.Email}},
			{Name: "Authorization: Bearer", Method: "GET", Path: users, Header: apptest.Bearer(k.Key), Status: 200, Contains: []string{acme.Admin.Email}},
			{Name: "a scope the key lacks", Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/audit-logs", Header: apptest.KeyHeader(k.Key), Status: 403, Code: "FORBIDDEN"},
			{Name: "a write the key lacks", Method: "POST", Path: users, Header: apptest.KeyHeader(k.Key), Body: map[string]string{"email": "x@example.test", "name": "X", "role": "agent"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "another account's route", Method: "GET", Path: "/api/v1/accounts/" + globex.ID + "/users", Header: apptest.KeyHeader(k.Key), Status: 404, Code: "NOT_FOUND", Lacks: []string{globex.Admin.Email}},
			{Name: "another account itself", Method: "GET", Path: "/api/v1/accounts/" + globex.ID, Header: apptest.KeyHeader(k.Key), Status: 404, Code: "NOT_FOUND"},
			{Name: "garbage", Method: "GET", Path: users, Header: apptest.KeyHeader("wp_live_garbage"), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "unknown prefix", Method: "GET", Path: users, Header: apptest.KeyHeader("wp_live_aaaaaaaaaaaa." + secretPart), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "right prefix, wrong secret", Method: "GET", Path: users, Header: apptest.KeyHeader("wp_live_" + k.Prefix + ".wrong"), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "empty secret", Method: "GET", Path: users, Header: apptest.KeyHeader("wp_live_" + k.Prefix + "."), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "other bytes", Method: "GET", Path: users, Header: apptest.KeyHeader("wp_live_\xff\xfe." + secretPart), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "keys are refused on /me", Method: "GET", Path: "/api/v1/me", Header: apptest.KeyHeader(k.Key), Status: 403, Code: "FORBIDDEN"},
			{Name: "keys are refused on /sessions", Method: "GET", Path: "/api/v1/sessions", Header: apptest.KeyHeader(k.Key), Status: 403, Code: "FORBIDDEN"},
			{Name: "keys are refused on session revoke", Method: "DELETE", Path: "/api/v1/sessions/" + acme.Admin.SessionID, Header: apptest.KeyHeader(k.Key), Status: 403, Code: "FORBIDDEN"},
			{Name: "keys are refused on password change", Method: "POST", Path: "/api/v1/me/password", Header: apptest.KeyHeader(k.Key), Body: map[string]string{"current_password": "a", "new_password": "b"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "keys are refused on logout", Method: "POST", Path: "/api/v1/auth/logout", Header: apptest.KeyHeader(k.Key), Status: 403, Code: "FORBIDDEN"},
			{Name: "a key cannot mint keys", Method: "POST", Path: keys, Header: apptest.KeyHeader(writer.Key), Body: map[string]any{"name": "child", "scopes": []string{"users:read"}}, Status: 403, Code: "FORBIDDEN"},
			{Name: "no scopes", Method: "POST", Path: keys, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]any{"name": "x", "scopes": []string{}}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"scopes"`}},
			{Name: "unknown scope", Method: "POST", Path: keys, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]any{"name": "x", "scopes": []string{"root"}}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"scopes"`, "unknown scope root"}},
			{Name: "platform scope", Method: "POST", Path: keys, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]any{"name": "x", "scopes": []string{"platform:manage"}}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"scopes"`}},
			{Name: "past expiry", Method: "POST", Path: keys, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]any{"name": "x", "scopes": []string{"users:read"}, "expires_at": clk.Now().Add(-time.Minute)}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"expires_at"`}},
			{Name: "no name", Method: "POST", Path: keys, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]any{"scopes": []string{"users:read"}}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"name"`}},
			{Name: "name too long", Method: "POST", Path: keys, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]any{"name": strings.Repeat("k", 101), "scopes": []string{"users:read"}}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"name"`}},
			{Name: "agents cannot create keys", Method: "POST", Path: keys, Header: apptest.Bearer(agent.Token), Body: map[string]any{"name": "x", "scopes": []string{"account:read"}}, Status: 403, Code: "FORBIDDEN"},
			{Name: "supervisors cannot create keys", Method: "POST", Path: keys, Header: apptest.Bearer(sup.Token), Body: map[string]any{"name": "x", "scopes": []string{"users:read"}}, Status: 403, Code: "FORBIDDEN"},
			{Name: "a super admin outside the account", Method: "POST", Path: keys, Header: apptest.Bearer(super.Token), Body: map[string]any{"name": "x", "scopes": []string{"users:read"}}, Status: 403, Code: "FORBIDDEN"},
			{Name: "revoke", Method: "DELETE", Path: keys + "/" + revoked.ID, Header: apptest.Bearer(acme.Admin.Token), Status: 204},
			{Name: "revoked at once", Method: "GET", Path: users, Header: apptest.KeyHeader(revoked.Key), Status: 401, Code: "TOKEN_REVOKED"},
			{Name: "revoke twice", Method: "DELETE", Path: keys + "/" + revoked.ID, Header: apptest.Bearer(acme.Admin.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "revoke another account's key", Method: "DELETE", Path: "/api/v1/accounts/" + globex.ID + "/api-keys/" + k.ID, Header: apptest.Bearer(globex.Admin.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "revoke an unknown key", Method: "DELETE", Path: keys + "/" + db.NewID(), Header: apptest.Bearer(acme.Admin.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "the key revoked elsewhere still works", Method: "GET", Path: users, Header: apptest.KeyHeader(k.Key), Status: 200},
			{Name: "a writer key can write", Method: "POST", Path: users, Header: apptest.KeyHeader(writer.Key), Body: map[string]string{"email": apptest.UniqueEmail("bykey"), "name": "By Key", "role": "agent"}, Status: 201},
		})

		// Lists show every key's metadata and never a secret.
		r := h.Do(apptest.Req{Method: "GET", Path: keys, Token: acme.Admin.Token}).Expect(t, 200)
		for _, secret := range []string{k.Key, secretPart, revoked.Key, writer.Key, "secret_hash", `"key":`} {
			if strings.Contains(string(r.Body), secret) {
				t.Fatalf("key list holds %q: %s", secret, r.Body)
			}
		}
		var list struct {
			Data []struct {
				ID, Prefix, Name, CreatedBy string
				Scopes                      []string
				CreatedAt                   time.Time  `json:"created_at"`
				LastUsedAt                  *time.Time `json:"last_used_at"`
				RevokedAt                   *time.Time `json:"revoked_at"`
			} `json:"data"`
		}
		r.Decode(t, &list)
		byID := map[string]int{}
		for i, x := range list.Data {
			byID[x.ID] = i
		}
		if len(list.Data) != 5 {
			t.Fatalf("%d keys listed, want 5: %s", len(list.Data), r.Body)
		}
		if x := list.Data[byID[k.ID]]; x.Prefix != k.Prefix || x.Name != "ci" || x.LastUsedAt == nil || x.RevokedAt != nil || x.CreatedAt.IsZero() {
			t.Errorf("listed key %+v: want prefix, name, last_used_at set, not revoked", x)
		}
		if !strings.Contains(string(r.Body), `"created_by":"`+acme.Admin.UserID+`"`) {
			t.Errorf("created_by missing: %s", r.Body)
		}
		if x := list.Data[byID[revoked.ID]]; x.RevokedAt == nil {
			t.Errorf("revoked key not marked: %+v", x)
		}

		// Expiry: by the clock, and by a past expires_at set in the table.
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apptest.KeyHeader(dated.Key)}).Expect(t, 200)
		h.Exec(`UPDATE api_keys SET expires_at = $1 WHERE id = $2`, clk.Now().Add(-time.Second).UTC(), expiring.ID)
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apptest.KeyHeader(expiring.Key)}).ExpectError(t, 401, "TOKEN_EXPIRED")
		clk.Advance(time.Hour + time.Second)
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apptest.KeyHeader(dated.Key)}).ExpectError(t, 401, "TOKEN_EXPIRED")
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apptest.KeyHeader(k.Key)}).Expect(t, 200)
		h.Refresh(acme.Admin).Expect(t, 200) // its access token aged with the clock

		// Keys act as themselves in the audit log.
		rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"actor_type": {"api_key"}})
		if len(rows) != 1 || rows[0].ActorID != writer.ID || rows[0].Action != "user.invited" {
			t.Errorf("the key's write in the audit log: %+v", rows)
		}
		got := actions(h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"api_key.*"}}))
		if !slices.Contains(got, "api_key.created") || !slices.Contains(got, "api_key.revoked") {
			t.Errorf("api key audit: %v", got)
		}
		h.AssertLogsFree(t, k.Key, secretPart, revoked.Key, writer.Key, dated.Key, expiring.Key)
	})
}

// A key never does more than its creator may do today: demoting the
// creator shrinks the key.
func TestKeyFollowsItsCreatorsRole(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		creator := h.NewMember(acme.Admin.Token, acme.ID, "admin")
		k := h.CreateAPIKey(creator.Token, acme.ID, "ci", "users:read", "users:write")
		users := "/api/v1/accounts/" + acme.ID + "/users"
		newUser := func() map[string]string {
			return map[string]string{"email": apptest.UniqueEmail("k"), "name": "K", "role": "agent"}
		}
		h.Do(apptest.Req{Method: "POST", Path: users, Header: apptest.KeyHeader(k.Key), Body: newUser()}).Expect(t, 201)
		h.Do(apptest.Req{Method: "PATCH", Path: users + "/" + creator.UserID, Token: acme.Admin.Token, Body: map[string]string{"role": "supervisor"}}).Expect(t, 200)
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "write scope gone with the role", Method: "POST", Path: users, Header: apptest.KeyHeader(k.Key), Body: newUser(), Status: 403, Code: "FORBIDDEN"},
			{Name: "read scope kept", Method: "GET", Path: users, Header: apptest.KeyHeader(k.Key), Status: 200},
			{Name: "the demoted creator cannot mint", Method: "POST", Path: users[:len(users)-len("/users")] + "/api-keys", Header: apptest.Bearer(creator.Token),
				Body: map[string]any{"name": "x", "scopes": []string{"users:write"}}, Status: 403, Code: "FORBIDDEN"},
		})
	})
}

func TestRoles(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		agent := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		sup := h.NewMember(acme.Admin.Token, acme.ID, "supervisor")
		key := h.CreateAPIKey(acme.Admin.Token, acme.ID, "ci", "users:read")
		base := "/api/v1/accounts/" + acme.ID
		newUser := map[string]string{"email": "new@example.test", "name": "New", "role": "agent"}
		type call struct {
			method, path string
			body         any
		}
		calls := []call{
			{"GET", base, nil}, // account:read
			{"PATCH", base, map[string]string{"name": "Renamed"}}, // account:write
			{"GET", base + "/users", nil},                         // users:read
			{"POST", base + "/users", newUser},                    // users:write
			{"PATCH", base + "/users/" + agent.UserID, map[string]string{"role": "agent"}},
			{"DELETE", base + "/users/" + db.NewID(), nil},
			{"GET", base + "/api-keys", nil}, // keys:read
			{"POST", base + "/api-keys", map[string]any{"name": "x", "scopes": []string{"account:read"}}},
			{"DELETE", base + "/api-keys/" + key.ID, nil},
			{"GET", base + "/audit-logs", nil}, // audit:read
		}
		// What each role gets, in the order of calls (2xx/404 = allowed).
		want := map[string][]int{
			"agent":      {200, 403, 403, 403, 403, 403, 403, 403, 403, 403},
			"supervisor": {200, 403, 200, 403, 403, 403, 403, 403, 403, 200},
		}
		for role, s := range map[string]*apptest.Session{"agent": agent, "supervisor": sup} {
			var rows []apptest.Scenario
			for i, c := range calls {
				sc := apptest.Scenario{Name: role + " " + c.method + " " + c.path, Method: c.method, Path: c.path, Header: apptest.Bearer(s.Token), Body: c.body, Status: want[role][i]}
				if sc.Status == 403 {
					sc.Code = "FORBIDDEN"
				}
				rows = append(rows, sc)
			}
			apptest.Run(t, h, rows)
		}
		// Nothing the refused calls tried happened.
		h.Do(apptest.Req{Method: "GET", Path: base + "/users", Header: apptest.KeyHeader(key.Key)}).Expect(t, 200)
		if n := h.Count(`SELECT count(*) FROM users WHERE email = 'new@example.test'`); n != 0 {
			t.Error("a refused call created a user")
		}
	})
}
