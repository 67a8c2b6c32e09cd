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

		run(t, h, []scenario{
			{name: "X-API-Key", method: "GET", path: users, header: apiKey(k.Key), status: 200, contains: []string{acme.Admin.Email}},
			{name: "Authorization: Bearer", method: "GET", path: users, header: bearer(k.Key), status: 200, contains: []string{acme.Admin.Email}},
			{name: "a scope the key lacks", method: "GET", path: "/api/v1/accounts/" + acme.ID + "/audit-logs", header: apiKey(k.Key), status: 403, code: "FORBIDDEN"},
			{name: "a write the key lacks", method: "POST", path: users, header: apiKey(k.Key), body: map[string]string{"email": "x@example.test", "name": "X", "role": "agent", "password": apptest.Password}, status: 403, code: "FORBIDDEN"},
			{name: "another account's route", method: "GET", path: "/api/v1/accounts/" + globex.ID + "/users", header: apiKey(k.Key), status: 404, code: "NOT_FOUND", lacks: []string{globex.Admin.Email}},
			{name: "another account itself", method: "GET", path: "/api/v1/accounts/" + globex.ID, header: apiKey(k.Key), status: 404, code: "NOT_FOUND"},
			{name: "garbage", method: "GET", path: users, header: apiKey("wp_live_garbage"), status: 401, code: "TOKEN_INVALID"},
			{name: "unknown prefix", method: "GET", path: users, header: apiKey("wp_live_aaaaaaaaaaaa." + secretPart), status: 401, code: "TOKEN_INVALID"},
			{name: "right prefix, wrong secret", method: "GET", path: users, header: apiKey("wp_live_" + k.Prefix + ".wrong"), status: 401, code: "TOKEN_INVALID"},
			{name: "empty secret", method: "GET", path: users, header: apiKey("wp_live_" + k.Prefix + "."), status: 401, code: "TOKEN_INVALID"},
			{name: "other bytes", method: "GET", path: users, header: apiKey("wp_live_\xff\xfe." + secretPart), status: 401, code: "TOKEN_INVALID"},
			{name: "keys are refused on /me", method: "GET", path: "/api/v1/me", header: apiKey(k.Key), status: 403, code: "FORBIDDEN"},
			{name: "keys are refused on /sessions", method: "GET", path: "/api/v1/sessions", header: apiKey(k.Key), status: 403, code: "FORBIDDEN"},
			{name: "keys are refused on session revoke", method: "DELETE", path: "/api/v1/sessions/" + acme.Admin.SessionID, header: apiKey(k.Key), status: 403, code: "FORBIDDEN"},
			{name: "keys are refused on password change", method: "POST", path: "/api/v1/me/password", header: apiKey(k.Key), body: map[string]string{"current_password": "a", "new_password": "b"}, status: 403, code: "FORBIDDEN"},
			{name: "keys are refused on logout", method: "POST", path: "/api/v1/auth/logout", header: apiKey(k.Key), status: 403, code: "FORBIDDEN"},
			{name: "a key cannot mint keys", method: "POST", path: keys, header: apiKey(writer.Key), body: map[string]any{"name": "child", "scopes": []string{"users:read"}}, status: 403, code: "FORBIDDEN"},
			{name: "no scopes", method: "POST", path: keys, header: bearer(acme.Admin.Token), body: map[string]any{"name": "x", "scopes": []string{}}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"scopes"`}},
			{name: "unknown scope", method: "POST", path: keys, header: bearer(acme.Admin.Token), body: map[string]any{"name": "x", "scopes": []string{"root"}}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"scopes"`, "unknown scope root"}},
			{name: "platform scope", method: "POST", path: keys, header: bearer(acme.Admin.Token), body: map[string]any{"name": "x", "scopes": []string{"platform:manage"}}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"scopes"`}},
			{name: "past expiry", method: "POST", path: keys, header: bearer(acme.Admin.Token), body: map[string]any{"name": "x", "scopes": []string{"users:read"}, "expires_at": clk.Now().Add(-time.Minute)}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"expires_at"`}},
			{name: "no name", method: "POST", path: keys, header: bearer(acme.Admin.Token), body: map[string]any{"scopes": []string{"users:read"}}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"name"`}},
			{name: "name too long", method: "POST", path: keys, header: bearer(acme.Admin.Token), body: map[string]any{"name": strings.Repeat("k", 101), "scopes": []string{"users:read"}}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"name"`}},
			{name: "agents cannot create keys", method: "POST", path: keys, header: bearer(agent.Token), body: map[string]any{"name": "x", "scopes": []string{"account:read"}}, status: 403, code: "FORBIDDEN"},
			{name: "supervisors cannot create keys", method: "POST", path: keys, header: bearer(sup.Token), body: map[string]any{"name": "x", "scopes": []string{"users:read"}}, status: 403, code: "FORBIDDEN"},
			{name: "a super admin outside the account", method: "POST", path: keys, header: bearer(super.Token), body: map[string]any{"name": "x", "scopes": []string{"users:read"}}, status: 403, code: "FORBIDDEN"},
			{name: "revoke", method: "DELETE", path: keys + "/" + revoked.ID, header: bearer(acme.Admin.Token), status: 204},
			{name: "revoked at once", method: "GET", path: users, header: apiKey(revoked.Key), status: 401, code: "TOKEN_REVOKED"},
			{name: "revoke twice", method: "DELETE", path: keys + "/" + revoked.ID, header: bearer(acme.Admin.Token), status: 404, code: "NOT_FOUND"},
			{name: "revoke another account's key", method: "DELETE", path: "/api/v1/accounts/" + globex.ID + "/api-keys/" + k.ID, header: bearer(globex.Admin.Token), status: 404, code: "NOT_FOUND"},
			{name: "revoke an unknown key", method: "DELETE", path: keys + "/" + db.NewID(), header: bearer(acme.Admin.Token), status: 404, code: "NOT_FOUND"},
			{name: "the key revoked elsewhere still works", method: "GET", path: users, header: apiKey(k.Key), status: 200},
			{name: "a writer key can write", method: "POST", path: users, header: apiKey(writer.Key), body: map[string]string{"email": apptest.UniqueEmail("bykey"), "name": "By Key", "role": "agent", "password": apptest.Password}, status: 201},
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
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apiKey(dated.Key)}).Expect(t, 200)
		h.Exec(`UPDATE api_keys SET expires_at = $1 WHERE id = $2`, clk.Now().Add(-time.Second).UTC(), expiring.ID)
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apiKey(expiring.Key)}).ExpectError(t, 401, "TOKEN_EXPIRED")
		clk.Advance(time.Hour + time.Second)
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apiKey(dated.Key)}).ExpectError(t, 401, "TOKEN_EXPIRED")
		h.Do(apptest.Req{Method: "GET", Path: users, Header: apiKey(k.Key)}).Expect(t, 200)
		h.Refresh(acme.Admin).Expect(t, 200) // its access token aged with the clock

		// Keys act as themselves in the audit log.
		rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"actor_type": {"api_key"}})
		if len(rows) != 1 || rows[0].ActorID != writer.ID || rows[0].Action != "user.added" {
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
			return map[string]string{"email": apptest.UniqueEmail("k"), "name": "K", "role": "agent", "password": apptest.Password}
		}
		h.Do(apptest.Req{Method: "POST", Path: users, Header: apiKey(k.Key), Body: newUser()}).Expect(t, 201)
		h.Do(apptest.Req{Method: "PATCH", Path: users + "/" + creator.UserID, Token: acme.Admin.Token, Body: map[string]string{"role": "supervisor"}}).Expect(t, 200)
		run(t, h, []scenario{
			{name: "write scope gone with the role", method: "POST", path: users, header: apiKey(k.Key), body: newUser(), status: 403, code: "FORBIDDEN"},
			{name: "read scope kept", method: "GET", path: users, header: apiKey(k.Key), status: 200},
			{name: "the demoted creator cannot mint", method: "POST", path: users[:len(users)-len("/users")] + "/api-keys", header: bearer(creator.Token),
				body: map[string]any{"name": "x", "scopes": []string{"users:write"}}, status: 403, code: "FORBIDDEN"},
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
		newUser := map[string]string{"email": "new@example.test", "name": "New", "role": "agent", "password": apptest.Password}
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
			var rows []scenario
			for i, c := range calls {
				sc := scenario{name: role + " " + c.method + " " + c.path, method: c.method, path: c.path, header: bearer(s.Token), body: c.body, status: want[role][i]}
				if sc.status == 403 {
					sc.code = "FORBIDDEN"
				}
				rows = append(rows, sc)
			}
			run(t, h, rows)
		}
		// Nothing the refused calls tried happened.
		h.Do(apptest.Req{Method: "GET", Path: base + "/users", Header: apiKey(key.Key)}).Expect(t, 200)
		if n := h.Count(`SELECT count(*) FROM users WHERE email = 'new@example.test'`); n != 0 {
			t.Error("a refused call created a user")
		}
	})
}
