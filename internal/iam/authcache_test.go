package iam_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// With the authorisation cache warm (each credential used just before),
// a demotion, a removal, a revoked key and a suspension made through the
// API take effect on the very next request; so does a change written
// straight to the database, as the whatpro CLI does (on PostgreSQL that
// one arrives by notification, a moment after its commit).
func TestCachedAuthorisationFollowsChanges(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme := h.NewTenant(super, "Acme")
		base := "/api/v1/accounts/" + acme.ID
		get := func(tok, path string) *apptest.Resp {
			return h.Do(apptest.Req{Method: "GET", Path: base + path, Token: tok})
		}

		boss := h.NewMember(acme.Admin.Token, acme.ID, "admin")
		get(boss.Token, "/api-keys").Expect(t, 200)
		h.Do(apptest.Req{Method: "PATCH", Path: base + "/users/" + boss.UserID, Token: acme.Admin.Token,
			Body: map[string]string{"role": "agent"}}).Expect(t, 200)
		get(boss.Token, "/api-keys").ExpectError(t, 403, "FORBIDDEN")

		gone := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		get(gone.Token, "").Expect(t, 200)
		h.Do(apptest.Req{Method: "DELETE", Path: base + "/users/" + gone.UserID, Token: acme.Admin.Token}).Expect(t, 204)
		get(gone.Token, "").ExpectError(t, 404, "NOT_FOUND")

		k := h.CreateAPIKey(acme.Admin.Token, acme.ID, "ci", "users:read")
		h.Do(apptest.Req{Method: "GET", Path: base + "/users", Header: apptest.KeyHeader(k.Key)}).Expect(t, 200)
		h.Do(apptest.Req{Method: "DELETE", Path: base + "/api-keys/" + k.ID, Token: acme.Admin.Token}).Expect(t, 204)
		h.Do(apptest.Req{Method: "GET", Path: base + "/users", Header: apptest.KeyHeader(k.Key)}).ExpectError(t, 401, "TOKEN_REVOKED")

		agent := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		get(agent.Token, "").Expect(t, 200)
		h.Do(apptest.Req{Method: "PATCH", Path: base, Token: super.Token, Body: map[string]string{"status": "suspended"}}).Expect(t, 200)
		get(agent.Token, "").ExpectError(t, 403, "ACCOUNT_SUSPENDED")
		h.Do(apptest.Req{Method: "PATCH", Path: base, Token: super.Token, Body: map[string]string{"status": "active"}}).Expect(t, 200)
		get(agent.Token, "").Expect(t, 200)

		// Outside the hub's own code: plain SQL, as another process writes.
		h.Exec(`UPDATE users SET active = FALSE WHERE id = $1`, agent.UserID)
		soon(t, dialect, "the user disabled outside the hub", func() *apptest.Resp { return get(agent.Token, "") }).
			ExpectError(t, 401, "SESSION_REVOKED")
		h.Exec(`UPDATE memberships SET role = 'agent' WHERE account_id = $1 AND user_id = $2`, acme.ID, acme.Admin.UserID)
		soon(t, dialect, "the admin demoted outside the hub", func() *apptest.Resp { return get(acme.Admin.Token, "/api-keys") }).
			ExpectError(t, 403, "FORBIDDEN")
	})
}
