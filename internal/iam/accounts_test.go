package iam_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

func TestAccounts(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme, globex := h.NewTenant(super, "Acme"), h.NewTenant(super, "Globex")
		key := h.CreateAPIKey(acme.Admin.Token, acme.ID, "ci", "account:read", "account:write")
		agent := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		acmePath, globexPath := "/api/v1/accounts/"+acme.ID, "/api/v1/accounts/"+globex.ID

		rows := run(t, h, []scenario{
			{name: "admin cannot create accounts", method: "POST", path: "/api/v1/accounts", header: bearer(acme.Admin.Token), body: map[string]string{"name": "Mine"}, status: 403, code: "FORBIDDEN"},
			{name: "API key cannot create accounts", method: "POST", path: "/api/v1/accounts", header: apiKey(key.Key), body: map[string]string{"name": "Mine"}, status: 403, code: "FORBIDDEN"},
			{name: "name required", method: "POST", path: "/api/v1/accounts", header: bearer(super.Token), body: map[string]string{"name": "  "}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"name"`}},
			{name: "name too long", method: "POST", path: "/api/v1/accounts", header: bearer(super.Token), body: map[string]string{"name": strings.Repeat("n", 121)}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"name"`}},
			{name: "super admin creates", method: "POST", path: "/api/v1/accounts", header: bearer(super.Token), body: map[string]string{"name": " Initech "}, status: 201, contains: []string{`"name":"Initech"`, `"status":"active"`, `"id":"`}},
			{name: "super admin lists all", method: "GET", path: "/api/v1/accounts", header: bearer(super.Token), status: 200, contains: []string{acme.ID, globex.ID, "Initech"}},
			{name: "admin lists their own", method: "GET", path: "/api/v1/accounts", header: bearer(acme.Admin.Token), status: 200, contains: []string{acme.ID, `"role":"admin"`}, lacks: []string{globex.ID, "Globex", "Initech"}},
			{name: "agent lists their own", method: "GET", path: "/api/v1/accounts", header: bearer(agent.Token), status: 200, contains: []string{acme.ID, `"role":"agent"`}, lacks: []string{globex.ID}},
			{name: "API key cannot list accounts", method: "GET", path: "/api/v1/accounts", header: apiKey(key.Key), status: 403, code: "FORBIDDEN"},
			{name: "get own", method: "GET", path: acmePath, header: bearer(agent.Token), status: 200, contains: []string{`"name":"Acme"`, `"role":"agent"`}},
			{name: "get own with a key", method: "GET", path: acmePath, header: apiKey(key.Key), status: 200, contains: []string{`"name":"Acme"`}},
			{name: "get another tenant's", method: "GET", path: globexPath, header: bearer(acme.Admin.Token), status: 404, code: "NOT_FOUND", lacks: []string{"Globex"}},
			{name: "key on another tenant's", method: "GET", path: globexPath, header: apiKey(key.Key), status: 404, code: "NOT_FOUND", lacks: []string{"Globex"}},
			{name: "patch another tenant's", method: "PATCH", path: globexPath, header: bearer(acme.Admin.Token), body: map[string]string{"name": "Pwned"}, status: 404, code: "NOT_FOUND"},
			{name: "get an account that does not exist", method: "GET", path: "/api/v1/accounts/nope", header: bearer(acme.Admin.Token), status: 404, code: "NOT_FOUND"},
			{name: "agent cannot rename", method: "PATCH", path: acmePath, header: bearer(agent.Token), body: map[string]string{"name": "Agent's"}, status: 403, code: "FORBIDDEN"},
			{name: "admin renames", method: "PATCH", path: acmePath, header: bearer(acme.Admin.Token), body: map[string]string{"name": "Acme Ltda"}, status: 200, contains: []string{`"name":"Acme Ltda"`}},
			{name: "admin cannot suspend", method: "PATCH", path: acmePath, header: bearer(acme.Admin.Token), body: map[string]string{"status": "suspended"}, status: 403, code: "FORBIDDEN"},
			{name: "key cannot suspend", method: "PATCH", path: acmePath, header: apiKey(key.Key), body: map[string]string{"status": "suspended"}, status: 403, code: "FORBIDDEN"},
			{name: "bad status", method: "PATCH", path: acmePath, header: bearer(super.Token), body: map[string]string{"status": "gone"}, status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"status"`}},
			{name: "super admin suspends", method: "PATCH", path: acmePath, header: bearer(super.Token), body: map[string]string{"status": "suspended"}, status: 200, contains: []string{`"status":"suspended"`}},
			{name: "suspended: admin", method: "GET", path: acmePath, header: bearer(acme.Admin.Token), status: 403, code: "ACCOUNT_SUSPENDED"},
			{name: "suspended: agent", method: "GET", path: acmePath + "/users", header: bearer(agent.Token), status: 403, code: "ACCOUNT_SUSPENDED"},
			{name: "suspended: key", method: "GET", path: acmePath, header: apiKey(key.Key), status: 403, code: "ACCOUNT_SUSPENDED"},
			{name: "suspended: outsiders still get 404", method: "GET", path: acmePath, header: bearer(globex.Admin.Token), status: 404, code: "NOT_FOUND"},
			{name: "suspended: super admin still sees it", method: "GET", path: acmePath, header: bearer(super.Token), status: 200},
			{name: "super admin reactivates", method: "PATCH", path: acmePath, header: bearer(super.Token), body: map[string]string{"status": "active"}, status: 200},
			{name: "active again", method: "GET", path: acmePath, header: bearer(agent.Token), status: 200},
		})
		var created apptest.Account
		rows["super admin creates"].Decode(t, &created)
		if r := h.AuditLog(super.Token, created.ID, url.Values{"action": {"account.created"}}); len(r) != 1 || r[0].ActorID != super.UserID {
			t.Errorf("account.created audit: %+v", r)
		}
		updates := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"account.updated"}})
		if len(updates) != 3 || !strings.Contains(string(updates[2].Before), `"name":"Acme"`) || !strings.Contains(string(updates[2].After), `"name":"Acme Ltda"`) ||
			updates[1].ActorID != super.UserID || !strings.Contains(string(updates[1].After), `"status":"suspended"`) {
			t.Errorf("account.updated audit (rename, suspend, reactivate): %+v", updates)
		}
	})
}

type member struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

func members(t *testing.T, h *apptest.Hub, token, accountID string) map[string]member {
	t.Helper()
	var page struct {
		Data []member `json:"data"`
	}
	h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + accountID + "/users", Token: token}).Expect(t, 200).Decode(t, &page)
	out := map[string]member{}
	for _, m := range page.Data {
		out[m.ID] = m
	}
	return out
}

func TestAddUserValidation(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		users := "/api/v1/accounts/" + acme.ID + "/users"
		body := func(email, name, role, pw string) map[string]string {
			return map[string]string{"email": email, "name": name, "role": role, "password": pw}
		}
		rule := "passwords need at least 10 characters, must not be your email and must not be a common password"
		before := h.Count(`SELECT count(*) FROM users`)
		run(t, h, []scenario{
			{name: "bad email", method: "POST", path: users, header: bearer(acme.Admin.Token), body: body("not-an-email", "Ana", "agent", apptest.Password),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"email"`}},
			{name: "email without domain dot", method: "POST", path: users, header: bearer(acme.Admin.Token), body: body("ana@localhost", "Ana", "agent", apptest.Password),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"email"`}},
			{name: "name too long", method: "POST", path: users, header: bearer(acme.Admin.Token), body: body("ana@example.test", strings.Repeat("n", 121), "agent", apptest.Password),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"name"`}},
			{name: "bad role", method: "POST", path: users, header: bearer(acme.Admin.Token), body: body("ana@example.test", "Ana", "owner", apptest.Password),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"role"`}},
			{name: "every bad field at once", method: "POST", path: users, header: bearer(acme.Admin.Token), body: body("x", "", "owner", ""),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"email"`, `"field":"name"`, `"field":"role"`}},
			{name: "weak password", method: "POST", path: users, header: bearer(acme.Admin.Token), body: body("ana@example.test", "Ana", "agent", "password123"),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"password"`, rule}},
			{name: "password is the email", method: "POST", path: users, header: bearer(acme.Admin.Token), body: body("ana.maria@example.test", "Ana", "agent", "ana.maria@example.test"),
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"password"`, rule}},
			{name: "unknown field", method: "POST", path: users, header: bearer(acme.Admin.Token), body: `{"email":"ana@example.test","name":"Ana","role":"agent","password":"x","super_admin":true}`,
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"super_admin"`}},
			{name: "wrong type", method: "POST", path: users, header: bearer(acme.Admin.Token), body: `{"email":"ana@example.test","name":"Ana","role":["admin"]}`,
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"role"`}},
			{name: "NUL in name", method: "POST", path: users, header: bearer(acme.Admin.Token), body: `{"email":"ana@example.test","name":"A\u0000na","role":"agent","password":"long-enough-pass-1"}`,
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"name"`}},
			{name: "bad role on PATCH", method: "PATCH", path: users + "/" + acme.Admin.UserID, header: bearer(acme.Admin.Token), body: map[string]string{"role": "owner"},
				status: 400, code: "VALIDATION_ERROR", contains: []string{`"field":"role"`}},
		})
		if after := h.Count(`SELECT count(*) FROM users`); after != before {
			t.Errorf("refused requests created %d users", after-before)
		}
	})
}

func TestAddUserAndInvitations(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme, globex := h.NewTenant(super, "Acme"), h.NewTenant(super, "Globex")
		users := "/api/v1/accounts/" + acme.ID + "/users"

		// A new email becomes an active user who can log in at once.
		fresh := h.AddUser(acme.Admin.Token, acme.ID, apptest.UniqueEmail("fresh"), "agent")
		if fresh.Status != "active" || fresh.Role != "agent" || fresh.ID == "" {
			t.Fatalf("new user: %+v", fresh)
		}
		fs := h.Login(fresh.Email, apptest.Password)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Token: fs.Token}).Expect(t, 200)

		// An email that already belongs to a hub user (Globex's admin) is an
		// invitation: no access, no password change, until accepted.
		bob := globex.Admin
		run(t, h, []scenario{
			{name: "invite an existing user", method: "POST", path: users, header: bearer(acme.Admin.Token),
				body:   map[string]string{"email": strings.ToUpper(bob.Email), "name": "Renamed Bob", "role": "supervisor", "password": "takeover-passphrase-1"},
				status: 201, contains: []string{`"status":"invited"`, `"id":"` + bob.UserID + `"`, `"role":"supervisor"`}},
			{name: "inviting again", method: "POST", path: users, header: bearer(acme.Admin.Token),
				body: map[string]string{"email": bob.Email, "name": "Bob", "role": "agent"}, status: 409, code: "CONFLICT"},
			{name: "adding an active member again", method: "POST", path: users, header: bearer(acme.Admin.Token),
				body: map[string]string{"email": fresh.Email, "name": "Fresh", "role": "agent"}, status: 409, code: "CONFLICT"},
			{name: "the invite's password does not work", method: "POST", path: "/api/v1/auth/login", body: login(bob.Email, "takeover-passphrase-1"), status: 401, code: "UNAUTHORIZED"},
			{name: "bob's own password still works", method: "POST", path: "/api/v1/auth/login", body: login(bob.Email, apptest.Password), status: 200},
			{name: "no access before accepting", method: "GET", path: "/api/v1/accounts/" + acme.ID, header: bearer(bob.Token), status: 404, code: "NOT_FOUND"},
			{name: "the account is not listed yet", method: "GET", path: "/api/v1/accounts", header: bearer(bob.Token), status: 200, lacks: []string{acme.ID}},
			{name: "me shows the invitation", method: "GET", path: "/api/v1/me", header: bearer(bob.Token), status: 200,
				contains: []string{`"account_id":"` + acme.ID + `"`, `"status":"invited"`}},
			{name: "an admin cannot activate an invitee", method: "PATCH", path: users + "/" + bob.UserID, header: bearer(acme.Admin.Token),
				body: map[string]any{"active": true}, status: 409, code: "CONFLICT"},
			{name: "someone else cannot accept it", method: "POST", path: "/api/v1/me/invitations/" + acme.ID + "/accept", header: bearer(fs.Token), status: 404, code: "NOT_FOUND"},
			{name: "accept", method: "POST", path: "/api/v1/me/invitations/" + acme.ID + "/accept", header: bearer(bob.Token), status: 204},
			{name: "access after accepting", method: "GET", path: users, header: bearer(bob.Token), status: 200, contains: []string{fresh.Email}},
			{name: "accepting twice", method: "POST", path: "/api/v1/me/invitations/" + acme.ID + "/accept", header: bearer(bob.Token), status: 404, code: "NOT_FOUND"},
		})
		if m := members(t, h, acme.Admin.Token, acme.ID)[bob.UserID]; m.Status != "active" || m.Role != "supervisor" {
			t.Errorf("bob in acme after accepting: %+v", m)
		}
		var me struct {
			User struct {
				Name string `json:"name"`
			} `json:"user"`
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: bob.Token}).Expect(t, 200).Decode(t, &me)
		if me.User.Name == "Renamed Bob" {
			t.Error("the invitation renamed an existing user")
		}

		// Declining: the user stays out, cannot accept afterwards, and an
		// admin cannot force the membership active.
		carol := h.NewTenant(super, "Carol's").Admin
		h.Do(apptest.Req{Method: "POST", Path: users, Token: acme.Admin.Token,
			Body: map[string]string{"email": carol.Email, "name": "Carol", "role": "agent"}}).Expect(t, 201)
		run(t, h, []scenario{
			{name: "decline", method: "POST", path: "/api/v1/me/invitations/" + acme.ID + "/decline", header: bearer(carol.Token), status: 204},
			{name: "accept after declining", method: "POST", path: "/api/v1/me/invitations/" + acme.ID + "/accept", header: bearer(carol.Token), status: 404, code: "NOT_FOUND"},
			{name: "no access after declining", method: "GET", path: "/api/v1/accounts/" + acme.ID, header: bearer(carol.Token), status: 404, code: "NOT_FOUND"},
			{name: "not listed after declining", method: "GET", path: users, header: bearer(acme.Admin.Token), status: 200, lacks: []string{carol.Email}},
			{name: "an admin cannot force a decliner in", method: "PATCH", path: users + "/" + carol.UserID, header: bearer(acme.Admin.Token),
				body: map[string]any{"active": true}, status: 409, code: "CONFLICT"},
			{name: "still no access", method: "GET", path: "/api/v1/accounts/" + acme.ID, header: bearer(carol.Token), status: 404, code: "NOT_FOUND"},
			{name: "re-inviting is an invitation again", method: "POST", path: users, header: bearer(acme.Admin.Token),
				body: map[string]string{"email": carol.Email, "name": "Carol", "role": "agent"}, status: 201, contains: []string{`"status":"invited"`}},
		})
		// Carol's logins must not reach Acme's audit log: she never joined.
		h.Login(carol.Email, apptest.Password)
		for _, r := range h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"auth.*"}}) {
			if r.ActorID == carol.UserID {
				t.Errorf("a non-member's auth event reached the account's log: %+v", r)
			}
		}
		got := actions(h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"user.*"}}))
		for _, want := range []string{"user.added", "user.invited", "user.invitation.accepted", "user.invitation.declined"} {
			if !slices.Contains(got, want) {
				t.Errorf("audit lacks %s: %v", want, got)
			}
		}
	})
}

func TestLastAdminIsKept(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		users := "/api/v1/accounts/" + acme.ID + "/users/"
		me := users + acme.Admin.UserID
		second := h.NewMember(acme.Admin.Token, acme.ID, "admin")
		run(t, h, []scenario{
			{name: "demote while another admin exists", method: "PATCH", path: users + second.UserID, header: bearer(acme.Admin.Token), body: map[string]string{"role": "agent"}, status: 200, contains: []string{`"role":"agent"`}},
			{name: "demote the last admin", method: "PATCH", path: me, header: bearer(acme.Admin.Token), body: map[string]string{"role": "supervisor"}, status: 409, code: "CONFLICT"},
			{name: "disable the last admin", method: "PATCH", path: me, header: bearer(acme.Admin.Token), body: map[string]any{"active": false}, status: 409, code: "CONFLICT"},
			{name: "remove the last admin", method: "DELETE", path: me, header: bearer(acme.Admin.Token), status: 409, code: "CONFLICT"},
			{name: "the admin is still admin", method: "GET", path: "/api/v1/accounts/" + acme.ID, header: bearer(acme.Admin.Token), status: 200, contains: []string{`"role":"admin"`}},
			{name: "promote back", method: "PATCH", path: users + second.UserID, header: bearer(acme.Admin.Token), body: map[string]string{"role": "admin"}, status: 200},
			{name: "now the first may leave", method: "DELETE", path: me, header: bearer(second.Token), status: 204},
			{name: "and the second is the last", method: "DELETE", path: users + second.UserID, header: bearer(second.Token), status: 409, code: "CONFLICT"},
		})
		rows := h.AuditLog(second.Token, acme.ID, url.Values{"action": {"user.updated"}, "resource_id": {second.UserID}})
		if len(rows) != 2 || !strings.Contains(string(rows[1].Before), `"role":"admin"`) || !strings.Contains(string(rows[1].After), `"role":"agent"`) {
			t.Errorf("role change audit: %+v", rows)
		}
	})
}

// Removing or disabling a member ends their access to that account on the
// next request and revokes their API keys and instance tokens there, and
// only there.
func TestMembershipEndRevokesAccess(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme, globex := h.NewTenant(super, "Acme"), h.NewTenant(super, "Globex")
		for _, how := range []struct {
			name   string
			method string
			body   any
			status int
		}{
			{"remove", "DELETE", nil, 204},
			{"disable", "PATCH", map[string]any{"active": false}, 200},
		} {
			u := h.NewMember(acme.Admin.Token, acme.ID, "admin")
			h.AddUser(globex.Admin.Token, globex.ID, u.Email, "admin")
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/invitations/" + globex.ID + "/accept", Token: u.Token}).Expect(t, 204)
			inAcme := h.CreateAPIKey(u.Token, acme.ID, "acme-key", "users:read")
			inGlobex := h.CreateAPIKey(u.Token, globex.ID, "globex-key", "users:read")
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Header: apiKey(inAcme.Key)}).Expect(t, 200)
			var it struct {
				Token string `json:"token"`
			}
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/instance-tokens", Token: u.Token,
				Body: map[string]any{"account_id": acme.ID, "scopes": []string{"users:read"}}}).Expect(t, 201).Decode(t, &it)
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Token: it.Token}).Expect(t, 200)

			h.Do(apptest.Req{Method: how.method, Path: "/api/v1/accounts/" + acme.ID + "/users/" + u.UserID, Token: acme.Admin.Token, Body: how.body}).Expect(t, how.status)
			run(t, h, []scenario{
				{name: how.name + ": the very next request", method: "GET", path: "/api/v1/accounts/" + acme.ID, header: bearer(u.Token), status: 404, code: "NOT_FOUND"},
				{name: how.name + ": their key there", method: "GET", path: "/api/v1/accounts/" + acme.ID + "/users", header: apiKey(inAcme.Key), status: 401, code: "TOKEN_REVOKED"},
				{name: how.name + ": their instance token there", method: "GET", path: "/api/v1/accounts/" + acme.ID + "/users", header: bearer(it.Token), status: 401, code: "TOKEN_REVOKED"},
				{name: how.name + ": their other account", method: "GET", path: "/api/v1/accounts/" + globex.ID + "/users", header: bearer(u.Token), status: 200},
				{name: how.name + ": their key elsewhere", method: "GET", path: "/api/v1/accounts/" + globex.ID + "/users", header: apiKey(inGlobex.Key), status: 200},
				{name: how.name + ": still logs in", method: "POST", path: "/api/v1/auth/login", body: login(u.Email, apptest.Password), status: 200},
			})
		}
		// Re-enabling restores the membership but not the revoked keys.
		var disabled string
		for id, m := range members(t, h, acme.Admin.Token, acme.ID) {
			if m.Status == "disabled" {
				disabled = id
			}
		}
		h.Do(apptest.Req{Method: "PATCH", Path: "/api/v1/accounts/" + acme.ID + "/users/" + disabled, Token: acme.Admin.Token,
			Body: map[string]any{"active": true}}).Expect(t, 200)
		got := actions(h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"resource_type": {"user"}}))
		if !slices.Contains(got, "user.removed") || !slices.Contains(got, "user.updated") {
			t.Errorf("audit lacks user.removed or user.updated: %v", got)
		}
	})
}

func TestMe(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		sup := h.NewMember(acme.Admin.Token, acme.ID, "supervisor")
		key := h.CreateAPIKey(acme.Admin.Token, acme.ID, "ci", "users:read")
		var me struct {
			User struct {
				ID, Email string
			} `json:"user"`
			Memberships []struct {
				AccountID   string   `json:"account_id"`
				AccountName string   `json:"account_name"`
				Role        string   `json:"role"`
				Status      string   `json:"status"`
				Permissions []string `json:"permissions"`
			} `json:"memberships"`
		}
		r := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: sup.Token}).Expect(t, 200)
		r.Decode(t, &me)
		if me.User.ID != sup.UserID || me.User.Email != sup.Email || len(me.Memberships) != 1 {
			t.Fatalf("me: %s", r.Body)
		}
		m := me.Memberships[0]
		if m.AccountID != acme.ID || m.AccountName != "Acme" || m.Role != "supervisor" || m.Status != "active" ||
			!slices.Contains(m.Permissions, "users:read") || !slices.Contains(m.Permissions, "audit:read") || slices.Contains(m.Permissions, "users:write") {
			t.Fatalf("membership: %+v", m)
		}
		if strings.Contains(string(r.Body), "argon2") || strings.Contains(string(r.Body), "totp_secret") {
			t.Fatalf("me leaks secrets: %s", r.Body)
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Header: apiKey(key.Key)}).ExpectError(t, 403, "FORBIDDEN")
	})
}
