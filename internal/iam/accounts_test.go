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

		rows := apptest.Run(t, h, []apptest.Scenario{
			{Name: "admin cannot create accounts", Method: "POST", Path: "/api/v1/accounts", Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"name": "Mine"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "API key cannot create accounts", Method: "POST", Path: "/api/v1/accounts", Header: apptest.KeyHeader(key.Key), Body: map[string]string{"name": "Mine"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "name required", Method: "POST", Path: "/api/v1/accounts", Header: apptest.Bearer(super.Token), Body: map[string]string{"name": "  "}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"name"`}},
			{Name: "name too long", Method: "POST", Path: "/api/v1/accounts", Header: apptest.Bearer(super.Token), Body: map[string]string{"name": strings.Repeat("n", 121)}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"name"`}},
			{Name: "super admin creates", Method: "POST", Path: "/api/v1/accounts", Header: apptest.Bearer(super.Token), Body: map[string]string{"name": " Initech "}, Status: 201, Contains: []string{`"name":"Initech"`, `"status":"active"`, `"id":"`}},
			{Name: "super admin lists all", Method: "GET", Path: "/api/v1/accounts", Header: apptest.Bearer(super.Token), Status: 200, Contains: []string{acme.ID, globex.ID, "Initech"}},
			{Name: "admin lists their own", Method: "GET", Path: "/api/v1/accounts", Header: apptest.Bearer(acme.Admin.Token), Status: 200, Contains: []string{acme.ID, `"role":"admin"`}, Lacks: []string{globex.ID, "Globex", "Initech"}},
			{Name: "agent lists their own", Method: "GET", Path: "/api/v1/accounts", Header: apptest.Bearer(agent.Token), Status: 200, Contains: []string{acme.ID, `"role":"agent"`}, Lacks: []string{globex.ID}},
			{Name: "API key cannot list accounts", Method: "GET", Path: "/api/v1/accounts", Header: apptest.KeyHeader(key.Key), Status: 403, Code: "FORBIDDEN"},
			{Name: "get own", Method: "GET", Path: acmePath, Header: apptest.Bearer(agent.Token), Status: 200, Contains: []string{`"name":"Acme"`, `"role":"agent"`}},
			{Name: "get own with a key", Method: "GET", Path: acmePath, Header: apptest.KeyHeader(key.Key), Status: 200, Contains: []string{`"name":"Acme"`}},
			{Name: "get another tenant's", Method: "GET", Path: globexPath, Header: apptest.Bearer(acme.Admin.Token), Status: 404, Code: "NOT_FOUND", Lacks: []string{"Globex"}},
			{Name: "key on another tenant's", Method: "GET", Path: globexPath, Header: apptest.KeyHeader(key.Key), Status: 404, Code: "NOT_FOUND", Lacks: []string{"Globex"}},
			{Name: "patch another tenant's", Method: "PATCH", Path: globexPath, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"name": "Pwned"}, Status: 404, Code: "NOT_FOUND"},
			{Name: "get an account that does not exist", Method: "GET", Path: "/api/v1/accounts/nope", Header: apptest.Bearer(acme.Admin.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "agent cannot rename", Method: "PATCH", Path: acmePath, Header: apptest.Bearer(agent.Token), Body: map[string]string{"name": "Agent's"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "admin renames", Method: "PATCH", Path: acmePath, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"name": "Acme Ltda"}, Status: 200, Contains: []string{`"name":"Acme Ltda"`}},
			{Name: "admin cannot suspend", Method: "PATCH", Path: acmePath, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"status": "suspended"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "key cannot suspend", Method: "PATCH", Path: acmePath, Header: apptest.KeyHeader(key.Key), Body: map[string]string{"status": "suspended"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "bad status", Method: "PATCH", Path: acmePath, Header: apptest.Bearer(super.Token), Body: map[string]string{"status": "gone"}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"status"`}},
			{Name: "super admin suspends", Method: "PATCH", Path: acmePath, Header: apptest.Bearer(super.Token), Body: map[string]string{"status": "suspended"}, Status: 200, Contains: []string{`"status":"suspended"`}},
			{Name: "suspended: admin", Method: "GET", Path: acmePath, Header: apptest.Bearer(acme.Admin.Token), Status: 403, Code: "ACCOUNT_SUSPENDED"},
			{Name: "suspended: agent", Method: "GET", Path: acmePath + "/users", Header: apptest.Bearer(agent.Token), Status: 403, Code: "ACCOUNT_SUSPENDED"},
			{Name: "suspended: key", Method: "GET", Path: acmePath, Header: apptest.KeyHeader(key.Key), Status: 403, Code: "ACCOUNT_SUSPENDED"},
			{Name: "suspended: outsiders still get 404", Method: "GET", Path: acmePath, Header: apptest.Bearer(globex.Admin.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "suspended: super admin still sees it", Method: "GET", Path: acmePath, Header: apptest.Bearer(super.Token), Status: 200},
			{Name: "super admin reactivates", Method: "PATCH", Path: acmePath, Header: apptest.Bearer(super.Token), Body: map[string]string{"status": "active"}, Status: 200},
			{Name: "active again", Method: "GET", Path: acmePath, Header: apptest.Bearer(agent.Token), Status: 200},
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
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "bad email", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: body("not-an-email", "Ana", "agent", ""),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"email"`}},
			{Name: "email without domain dot", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: body("ana@localhost", "Ana", "agent", ""),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"email"`}},
			{Name: "name too long", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: body("ana@example.test", strings.Repeat("n", 121), "agent", ""),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"name"`}},
			{Name: "bad role", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: body("ana@example.test", "Ana", "owner", ""),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"role"`}},
			{Name: "every bad field at once", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: body("x", "", "owner", ""),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"email"`, `"field":"name"`, `"field":"role"`}},
			// Nobody chooses another person's password, however strong.
			{Name: "a password chosen by the admin", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: body("ana@example.test", "Ana", "agent", apptest.Password),
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"password"`, "invitation link"}, Lacks: []string{rule}},
			{Name: "unknown field", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: `{"email":"ana@example.test","name":"Ana","role":"agent","password":"x","super_admin":true}`,
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"super_admin"`}},
			{Name: "wrong type", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: `{"email":"ana@example.test","name":"Ana","role":["admin"]}`,
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"role"`}},
			{Name: "NUL in name", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token), Body: `{"email":"ana@example.test","name":"A\u0000na","role":"agent","password":"long-enough-pass-1"}`,
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"name"`}},
			{Name: "bad role on PATCH", Method: "PATCH", Path: users + "/" + acme.Admin.UserID, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"role": "owner"},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"role"`}},
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

		// A new email is invited, then activated from the link by its person.
		fresh := h.AddUser(acme.Admin.Token, acme.ID, apptest.UniqueEmail("fresh"), "agent")
		if fresh.Status != "active" || fresh.Role != "agent" || fresh.ID == "" {
			t.Fatalf("new user: %+v", fresh)
		}
		fs := h.Login(fresh.Email, apptest.Password)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Token: fs.Token}).Expect(t, 200)

		// An email that already belongs to a hub user (Globex's admin) is an
		// invitation: no access, no password change, until accepted.
		bob := globex.Admin
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "invite an existing user", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token),
				Body:   map[string]string{"email": strings.ToUpper(bob.Email), "name": "Renamed Bob", "role": "supervisor", "password": "takeover-passphrase-1"},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"password"`}},
			// The answer says nothing of Bob: the name is the one typed here, not his.
			{Name: "invite an existing user", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token),
				Body:   map[string]string{"email": strings.ToUpper(bob.Email), "name": "Renamed Bob", "role": "supervisor"},
				Status: 201, Contains: []string{`"status":"invited"`, `"id":"` + bob.UserID + `"`, `"role":"supervisor"`, `"name":"Renamed Bob"`, `"invitation_url":"`},
				Lacks: []string{`"name":"User `}},
			{Name: "inviting again", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token),
				Body: map[string]string{"email": bob.Email, "name": "Bob", "role": "agent"}, Status: 409, Code: "CONFLICT"},
			{Name: "adding an active member again", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token),
				Body: map[string]string{"email": fresh.Email, "name": "Fresh", "role": "agent"}, Status: 409, Code: "CONFLICT"},
			{Name: "the invite's password does not work", Method: "POST", Path: "/api/v1/auth/login", Body: login(bob.Email, "takeover-passphrase-1"), Status: 401, Code: "UNAUTHORIZED"},
			{Name: "bob's own password still works", Method: "POST", Path: "/api/v1/auth/login", Body: login(bob.Email, apptest.Password), Status: 200},
			{Name: "no access before accepting", Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Header: apptest.Bearer(bob.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "the account is not listed yet", Method: "GET", Path: "/api/v1/accounts", Header: apptest.Bearer(bob.Token), Status: 200, Lacks: []string{acme.ID}},
			{Name: "me shows the invitation", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(bob.Token), Status: 200,
				Contains: []string{`"account_id":"` + acme.ID + `"`, `"status":"invited"`}},
			{Name: "an admin cannot activate an invitee", Method: "PATCH", Path: users + "/" + bob.UserID, Header: apptest.Bearer(acme.Admin.Token),
				Body: map[string]any{"active": true}, Status: 409, Code: "CONFLICT"},
			{Name: "someone else cannot accept it", Method: "POST", Path: "/api/v1/me/invitations/" + acme.ID + "/accept", Header: apptest.Bearer(fs.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "accept", Method: "POST", Path: "/api/v1/me/invitations/" + acme.ID + "/accept", Header: apptest.Bearer(bob.Token), Status: 204},
			{Name: "access after accepting", Method: "GET", Path: users, Header: apptest.Bearer(bob.Token), Status: 200, Contains: []string{fresh.Email}},
			{Name: "accepting twice", Method: "POST", Path: "/api/v1/me/invitations/" + acme.ID + "/accept", Header: apptest.Bearer(bob.Token), Status: 404, Code: "NOT_FOUND"},
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
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "decline", Method: "POST", Path: "/api/v1/me/invitations/" + acme.ID + "/decline", Header: apptest.Bearer(carol.Token), Status: 204},
			{Name: "accept after declining", Method: "POST", Path: "/api/v1/me/invitations/" + acme.ID + "/accept", Header: apptest.Bearer(carol.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "no access after declining", Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Header: apptest.Bearer(carol.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "not listed after declining", Method: "GET", Path: users, Header: apptest.Bearer(acme.Admin.Token), Status: 200, Lacks: []string{carol.Email}},
			{Name: "an admin cannot force a decliner in", Method: "PATCH", Path: users + "/" + carol.UserID, Header: apptest.Bearer(acme.Admin.Token),
				Body: map[string]any{"active": true}, Status: 409, Code: "CONFLICT"},
			{Name: "still no access", Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Header: apptest.Bearer(carol.Token), Status: 404, Code: "NOT_FOUND"},
			{Name: "re-inviting is an invitation again", Method: "POST", Path: users, Header: apptest.Bearer(acme.Admin.Token),
				Body: map[string]string{"email": carol.Email, "name": "Carol", "role": "agent"}, Status: 201, Contains: []string{`"status":"invited"`}},
		})
		// Carol's logins must not reach Acme's audit log: she never joined.
		h.Login(carol.Email, apptest.Password)
		for _, r := range h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"auth.*"}}) {
			if r.ActorID == carol.UserID {
				t.Errorf("a non-member's auth event reached the account's log: %+v", r)
			}
		}
		got := actions(h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"user.*"}}))
		for _, want := range []string{"user.invited", "user.activated", "user.invitation.accepted", "user.invitation.declined"} {
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
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "demote while another admin exists", Method: "PATCH", Path: users + second.UserID, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"role": "agent"}, Status: 200, Contains: []string{`"role":"agent"`}},
			{Name: "demote the last admin", Method: "PATCH", Path: me, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"role": "supervisor"}, Status: 409, Code: "CONFLICT"},
			{Name: "disable the last admin", Method: "PATCH", Path: me, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]any{"active": false}, Status: 409, Code: "CONFLICT"},
			{Name: "remove the last admin", Method: "DELETE", Path: me, Header: apptest.Bearer(acme.Admin.Token), Status: 409, Code: "CONFLICT"},
			{Name: "the admin is still admin", Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Header: apptest.Bearer(acme.Admin.Token), Status: 200, Contains: []string{`"role":"admin"`}},
			{Name: "promote back", Method: "PATCH", Path: users + second.UserID, Header: apptest.Bearer(acme.Admin.Token), Body: map[string]string{"role": "admin"}, Status: 200},
			{Name: "now the first may leave", Method: "DELETE", Path: me, Header: apptest.Bearer(second.Token), Status: 204},
			{Name: "and the second is the last", Method: "DELETE", Path: users + second.UserID, Header: apptest.Bearer(second.Token), Status: 409, Code: "CONFLICT"},
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
			u := h.NewMember(super.Token, acme.ID, "admin") // the operator's: free to join Globex
			h.AddUser(globex.Admin.Token, globex.ID, u.Email, "admin")
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/invitations/" + globex.ID + "/accept", Token: u.Token}).Expect(t, 204)
			inAcme := h.CreateAPIKey(u.Token, acme.ID, "acme-key", "users:read")
			inGlobex := h.CreateAPIKey(u.Token, globex.ID, "globex-key", "users:read")
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Header: apptest.KeyHeader(inAcme.Key)}).Expect(t, 200)
			var it struct {
				Token string `json:"token"`
			}
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/instance-tokens", Token: u.Token,
				Body: map[string]any{"account_id": acme.ID, "scopes": []string{"users:read"}}}).Expect(t, 201).Decode(t, &it)
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Token: it.Token}).Expect(t, 200)

			h.Do(apptest.Req{Method: how.method, Path: "/api/v1/accounts/" + acme.ID + "/users/" + u.UserID, Token: acme.Admin.Token, Body: how.body}).Expect(t, how.status)
			apptest.Run(t, h, []apptest.Scenario{
				{Name: how.name + ": the very next request", Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Header: apptest.Bearer(u.Token), Status: 404, Code: "NOT_FOUND"},
				{Name: how.name + ": their key there", Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Header: apptest.KeyHeader(inAcme.Key), Status: 401, Code: "TOKEN_REVOKED"},
				{Name: how.name + ": their instance token there", Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Header: apptest.Bearer(it.Token), Status: 401, Code: "TOKEN_REVOKED"},
				{Name: how.name + ": their other account", Method: "GET", Path: "/api/v1/accounts/" + globex.ID + "/users", Header: apptest.Bearer(u.Token), Status: 200},
				{Name: how.name + ": their key elsewhere", Method: "GET", Path: "/api/v1/accounts/" + globex.ID + "/users", Header: apptest.KeyHeader(inGlobex.Key), Status: 200},
				{Name: how.name + ": still logs in", Method: "POST", Path: "/api/v1/auth/login", Body: login(u.Email, apptest.Password), Status: 200},
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
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Header: apptest.KeyHeader(key.Key)}).ExpectError(t, 403, "FORBIDDEN")
	})
}
