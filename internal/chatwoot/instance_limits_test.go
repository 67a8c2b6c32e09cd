package chatwoot_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// An embedded page's instance token is a narrow, short credential: it cannot make itself a
// long-lived API key or join another account, the tokens minted from it die with it, and a
// suspended account's tokens are invalid everywhere.
func TestInstanceTokenLimits(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		h, admin, acct := f.h, f.tenant.Admin, f.tenant.ID
		mint := func(bearer string, scopes ...string) string {
			var out struct{ Token string }
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/instance-tokens", Token: bearer,
				Body: map[string]any{"account_id": acct, "scopes": scopes}}).Expect(t, 201).Decode(t, &out)
			return out.Token
		}
		parent := mint(admin.Token, "account:read", "keys:write", "keys:read")
		child := mint(parent, "account:read")
		grandchild := mint(child, "account:read")

		// An invitation to another account, pending for the admin.
		super := h.LoginSuper()
		other := h.CreateAccount(super.Token, "Other")
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + other.ID + "/users", Token: super.Token,
			Body: map[string]any{"email": admin.Email, "name": "Admin", "role": "admin"}}).Expect(t, 201)

		apptest.Run(t, h, []apptest.Scenario{
			{Name: "no API key from a token", Method: "POST", Path: "/api/v1/accounts/" + acct + "/api-keys", Header: apptest.Bearer(parent),
				Body: map[string]any{"name": "escape", "scopes": []string{"keys:read"}}, Status: 403, Code: "FORBIDDEN"},
			{Name: "no joining from a token", Method: "POST", Path: "/api/v1/me/invitations/" + other.ID + "/accept", Header: apptest.Bearer(parent),
				Status: 403, Code: "FORBIDDEN"},
			{Name: "the grandchild works", Method: "GET", Path: "/api/v1/accounts/" + acct, Header: apptest.Bearer(grandchild), Status: 200},
			{Name: "revoke the parent", Method: "DELETE", Path: "/api/v1/instance-tokens/current", Header: apptest.Bearer(parent), Status: 204},
			{Name: "the child died with it", Method: "GET", Path: "/api/v1/accounts/" + acct, Header: apptest.Bearer(child), Status: 401, Code: "TOKEN_REVOKED"},
			{Name: "the grandchild too", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(grandchild), Status: 401, Code: "TOKEN_REVOKED"},
		})
		if n := h.Count(`SELECT count(*) FROM api_keys WHERE account_id = $1`, acct); n != 0 {
			t.Errorf("%d API keys made from a token", n)
		}
		if n := h.Count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND status = 'active'`, other.ID); n != 0 {
			t.Errorf("an instance token accepted an invitation")
		}

		// Suspended: every use of the account's tokens is refused, also off the account's routes.
		tok := mint(admin.Token, "account:read")
		h.Do(apptest.Req{Method: "PATCH", Path: "/api/v1/accounts/" + acct, Token: super.Token, Body: map[string]any{"status": "suspended"}}).Expect(t, 200)
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "validate", Method: "GET", Path: "/api/v1/instance-tokens/validate", Header: apptest.Bearer(tok), Status: 401, Code: "ACCOUNT_SUSPENDED",
				Contains: []string{`"valid":false`, "ACCOUNT_SUSPENDED"}},
			{Name: "me", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(tok), Status: 403, Code: "ACCOUNT_SUSPENDED"},
			{Name: "a link code", Method: "POST", Path: "/api/v1/me/chatwoot-identity/codes", Header: apptest.Bearer(tok), Status: 403, Code: "ACCOUNT_SUSPENDED"},
		})
	})
}
