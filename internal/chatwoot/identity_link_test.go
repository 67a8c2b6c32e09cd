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
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/chatwoot-identity", Token: token, Body: map[string]string{"code": code}})
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
