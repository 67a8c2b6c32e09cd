package chatwoot_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// SSO never undoes what the hub decided: Chatwoot's role is used only when SSO creates the
// member; a role set in the hub sticks, a removed member's SSO is refused, and no sign-in leaves
// an account without an admin.
func TestSSOKeepsTheHubsDecisions(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		origin := strings.TrimSuffix(f.simURL, "/")
		users := "/api/v1/accounts/" + f.tenant.ID + "/users/"
		role := func(userID string) string {
			var r string
			if err := f.h.App.DB.R.QueryRow(`SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2`, f.tenant.ID, userID).Scan(&r); err != nil {
				t.Fatal(err)
			}
			return r
		}

		// Created by SSO: Chatwoot's role.
		bruno := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)["user"].(map[string]any)
		brunoID := bruno["id"].(string)
		if bruno["role"] != "agent" {
			t.Fatalf("a new SSO member got %v, want agent", bruno["role"])
		}
		// Promoted in the hub: the next sign-in keeps it.
		f.h.Do(apptest.Req{Method: "PATCH", Path: users + brunoID, Token: f.tenant.Admin.Token, Body: map[string]any{"role": "supervisor"}}).Expect(t, 200)
		again := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)
		if got := again["user"].(map[string]any)["role"]; got != "supervisor" || role(brunoID) != "supervisor" {
			t.Errorf("after SSO the hub role is %v / %s, want supervisor", got, role(brunoID))
		}
		// Removed in the hub: SSO is refused and the removal stands.
		f.h.Do(apptest.Req{Method: "DELETE", Path: users + brunoID, Token: f.tenant.Admin.Token}).Expect(t, 204)
		f.sso(t, "bruno@acme.test", 1, origin).ExpectError(t, 403, "FORBIDDEN")
		if n := f.h.Count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND user_id = $2 AND status = 'removed'`, f.tenant.ID, brunoID); n != 1 {
			t.Errorf("the removal did not stand (%d removed rows)", n)
		}

		// Invited again by an admin: the next sign-in brings the member back, with the hub's role.
		re := f.h.Do(apptest.Req{Method: "POST", Path: users + brunoID + "/invitation", Token: f.tenant.Admin.Token}).Expect(t, 200).JSON(t)
		if re["status"] != "invited" || re["invitation_url"] != nil {
			t.Errorf("re-inviting a Chatwoot-only member: %v", re)
		}
		back := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)
		if got := back["user"].(map[string]any)["role"]; got != "supervisor" || role(brunoID) != "supervisor" {
			t.Errorf("back with role %v / %s, want the hub's supervisor", got, role(brunoID))
		}

		// The last admin: Ana (admin by SSO) stays admin when Chatwoot demotes her.
		ana := f.sso(t, "ana@acme.test", 1, origin).Expect(t, 200).JSON(t)["user"].(map[string]any)
		anaID := ana["id"].(string)
		super := f.h.LoginSuper()
		f.h.Do(apptest.Req{Method: "DELETE", Path: users + f.tenant.Admin.UserID, Token: super.Token}).Expect(t, 204)
		if !f.sim.SetRole(int(ana["chatwoot_user_id"].(float64)), 1, cwsim.RoleAgent) {
			t.Fatal("SetRole")
		}
		f.sso(t, "ana@acme.test", 1, origin).Expect(t, 200)
		if role(anaID) != "admin" {
			t.Errorf("SSO demoted the account's last admin to %s", role(anaID))
		}
		if n := f.h.Count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND role = 'admin' AND status = 'active'`, f.tenant.ID); n != 1 {
			t.Errorf("%d active admins, want 1", n)
		}
	})
}

// The SSO failure limiter keys on the canonical origin: another spelling of the same Chatwoot
// origin gets no fresh budget of failed session checks.
func TestSSOFailureBudgetIsPerCanonicalOrigin(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		bogus := func(origin string) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/chatwoot", Header: map[string]string{"Origin": origin},
				Body: map[string]any{"access_token": "forged", "client": "c", "uid": "ana@acme.test", "chatwoot_account_id": 1}})
		}
		for range 10 {
			bogus(f.simURL).ExpectError(t, 401, "UNAUTHORIZED")
		}
		bogus(f.simURL).ExpectError(t, 429, "RATE_LIMITED")
		bogus(strings.ToUpper(f.simURL)).ExpectError(t, 429, "RATE_LIMITED")
		bogus(f.simURL+"/").ExpectError(t, 429, "RATE_LIMITED")
	})
}
