package chatwoot_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A Chatwoot identity is linked to an existing hub user only when that
// user proves both sides: a code minted inside Chatwoot, redeemed with a
// console session. Never by email, and never away from a real hub user.
func TestExplicitIdentityLink(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		origin := f.simURL
		first := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)
		tok, placeholder := first["token"].(string), first["user"].(map[string]any)["id"].(string)

		// the hub user who wants the link: a member of another account only
		other := f.h.NewTenant(f.h.LoginSuper(), "Other")
		me := f.h.NewMember(other.Admin.Token, other.ID, "agent")

		mint := func(token string) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/chatwoot-identity/codes", Token: token})
		}
		redeem := func(token, code string) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/chatwoot-identity", Token: token,
				Body: map[string]string{"code": code, "password": apptest.Password}})
		}
		mint(me.Token).ExpectError(t, 403, "FORBIDDEN") // a console session cannot mint
		code := mint(tok).Expect(t, 201).JSON(t)["code"].(string)
		redeem(tok, code).ExpectError(t, 403, "FORBIDDEN") // an embedded token cannot redeem
		redeem(me.Token, "wpl_nope").ExpectError(t, 400, "VALIDATION_ERROR")
		redeem(me.Token, code).Expect(t, 200)
		redeem(me.Token, code).ExpectError(t, 400, "VALIDATION_ERROR") // one time only

		// the placeholder's token and membership are gone; SSO now signs in as the hub user
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: tok}).Expect(t, 401)
		again := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)
		if again["user"].(map[string]any)["id"] != me.UserID || again["user"].(map[string]any)["id"] == placeholder {
			t.Fatalf("SSO after linking: %v (hub user %s)", again["user"], me.UserID)
		}
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID, Token: me.Token}).Expect(t, 200)

		// an identity linked to a real hub user never moves again
		code2 := mint(again["token"].(string)).Expect(t, 201).JSON(t)["code"].(string)
		someoneElse := f.h.NewMember(other.Admin.Token, other.ID, "agent")
		redeem(someoneElse.Token, code2).ExpectError(t, 409, "CONFLICT")
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_identities WHERE user_id = $1`, me.UserID); n != 1 {
			t.Fatalf("identities of the hub user: %d", n)
		}
	})
}

// Linking needs the victim's consent: opening a link someone else minted changes nothing. The
// console first shows which installation, Chatwoot user and accounts the code would link, and
// links only on an explicit confirmation with the user's password (or an authenticator code).
func TestIdentityLinkNeedsConsent(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		// The attacker signs in from Chatwoot (an agent) and mints a code for their own login.
		attacker := f.sso(t, "bruno@acme.test", 1, f.simURL).Expect(t, 200).JSON(t)
		code := f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/chatwoot-identity/codes", Token: attacker["token"].(string)}).
			Expect(t, 201).JSON(t)["code"].(string)
		victim := f.tenant.Admin
		roleOf := func() string {
			var r string
			if err := f.h.App.DB.R.QueryRow(`SELECT role FROM memberships WHERE account_id = $1 AND user_id = $2`, f.tenant.ID, victim.UserID).Scan(&r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		linked := func() int {
			return f.h.Count(`SELECT count(*) FROM chatwoot_identities WHERE user_id = $1`, victim.UserID)
		}
		link := "/api/v1/me/chatwoot-identity"
		apptest.Run(t, f.h, []apptest.Scenario{
			{Name: "inspect", Method: "POST", Path: link + "/inspect", Header: apptest.Bearer(victim.Token), Body: map[string]string{"code": code},
				Status: 200, Contains: []string{`"origin":"` + f.simURL + `"`, `"name":"Bruno Agente"`, `"email":"bruno@acme.test"`,
					`"account_id":"` + f.tenant.ID + `"`, `"role":"agent"`, `"chatwoot_account_id":1`}},
			{Name: "the page loading (no consent)", Method: "POST", Path: link, Header: apptest.Bearer(victim.Token), Body: map[string]string{"code": code},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"password"`}},
			{Name: "a wrong password", Method: "POST", Path: link, Header: apptest.Bearer(victim.Token), Body: map[string]string{"code": code, "password": "not-my-password-1"},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"password"`}},
			{Name: "a made-up code", Method: "POST", Path: link, Header: apptest.Bearer(victim.Token), Body: map[string]string{"code": "wpl_nope", "password": apptest.Password},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"code"`}},
		})
		if linked() != 0 || roleOf() != "admin" {
			t.Fatalf("without consent: %d identities linked, role %s", linked(), roleOf())
		}
		if f.h.Count(`SELECT count(*) FROM chatwoot_link_codes WHERE used_at IS NULL`) != 1 {
			t.Error("inspecting or a refused confirmation spent the code")
		}
		// Consent, knowingly given: linked, and the admin stays admin.
		f.h.Do(apptest.Req{Method: "POST", Path: link, Token: victim.Token, Body: map[string]string{"code": code, "password": apptest.Password}}).Expect(t, 200)
		if linked() != 1 || roleOf() != "admin" {
			t.Errorf("after consent: %d identities, role %s", linked(), roleOf())
		}
	})
}
