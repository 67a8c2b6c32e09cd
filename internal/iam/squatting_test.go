package iam_test

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
)

// No cross-tenant account squatting. A tenant admin who invites someone never learns or sets
// their password; the invitation answer is the same whether the email already has a hub user or
// not; and a user whose email nobody proved (activated from a handed-over link) stays in the
// account that created it: joining another account is refused and audited until a super admin
// releases the email.
func TestNoCrossTenantSquatting(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		clk := apptest.NewClock()
		h := newHub(t, dialect, apptest.Options{AppOpts: app.Options{Now: clk.Now}})
		super := h.LoginSuper()
		squatter, victimCo := h.NewTenant(super, "Squatter"), h.NewTenant(super, "Victim Co")
		const victim = "ceo@victim.test"

		// The squatter's admin invites the victim's address and follows the link itself.
		inv := h.Invite(squatter.Admin.Token, squatter.ID, victim, "agent")
		if inv.Status != "invited" || inv.InvitationURL == "" || inv.Mailed {
			t.Fatalf("invitation without mail: %+v", inv)
		}
		h.Activate(inv.InvitationURL, "squatters-own-passphrase-1")
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/invitations/activate",
			Body:                                   map[string]string{"token": apptest.LinkToken(t, inv.InvitationURL), "password": "another-passphrase-22"}}).
			ExpectError(t, 400, "VALIDATION_ERROR") // single use
		sq := h.Login(victim, "squatters-own-passphrase-1")

		// Victim Co invites the same address: the answer looks exactly like one for a new email.
		existing := h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + victimCo.ID + "/users", Token: victimCo.Admin.Token,
			Body: map[string]string{"email": victim, "name": "The CEO", "role": "admin"}}).Expect(t, 201).JSON(t)
		fresh := h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + victimCo.ID + "/users", Token: victimCo.Admin.Token,
			Body: map[string]string{"email": "new-person@victim.test", "name": "The CEO", "role": "admin"}}).Expect(t, 201).JSON(t)
		if k1, k2 := slices.Sorted(maps.Keys(existing)), slices.Sorted(maps.Keys(fresh)); !slices.Equal(k1, k2) {
			t.Errorf("answers differ in shape: %v vs %v", k1, k2)
		}
		for _, k := range []string{"name", "role", "status", "invitation_mailed"} {
			if existing[k] != fresh[k] {
				t.Errorf("%s: %v for an existing email, %v for a new one", k, existing[k], fresh[k])
			}
		}
		// Its list shows the typed name, not the squatter's user's.
		list := string(h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + victimCo.ID + "/users", Token: victimCo.Admin.Token}).Expect(t, 200).Body)
		if want := `"email":"` + victim + `","name":"The CEO"`; !strings.Contains(list, want) || strings.Contains(list, "invitation_url") {
			t.Errorf("the list: %s", list)
		}

		// The squatter, signed in as that user, cannot take the invitation: not by account, not by link.
		victimLink := existing["invitation_url"].(string)
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "accept by account", Method: "POST", Path: "/api/v1/me/invitations/" + victimCo.ID + "/accept", Header: apptest.Bearer(sq.Token),
				Status: 409, Code: "CONFLICT", Contains: []string{"never confirmed"}},
			{Name: "accept by link", Method: "POST", Path: "/api/v1/me/invitations/redeem", Header: apptest.Bearer(sq.Token),
				Body: map[string]string{"token": apptest.LinkToken(t, victimLink)}, Status: 409, Code: "CONFLICT"},
			{Name: "activate over the login", Method: "POST", Path: "/api/v1/invitations/activate",
				Body: map[string]string{"token": apptest.LinkToken(t, victimLink), "password": "takeover-passphrase-33"}, Status: 409, Code: "CONFLICT"},
			{Name: "no access", Method: "GET", Path: "/api/v1/accounts/" + victimCo.ID, Header: apptest.Bearer(sq.Token), Status: 404, Code: "NOT_FOUND"},
		})
		refused := h.AuditLog(victimCo.Admin.Token, victimCo.ID, url.Values{"action": {"user.join.refused_unverified"}})
		if len(refused) != 2 {
			t.Errorf("refusals audited in Victim Co: %d, want 2", len(refused))
		}

		// A super admin releases the address (after checking who holds it): now it may join.
		uid := existing["id"].(string)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/users/" + uid + "/release-email", Token: squatter.Admin.Token}).ExpectError(t, 403, "FORBIDDEN")
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/users/" + uid + "/release-email", Token: super.Token}).Expect(t, 200)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/invitations/redeem", Token: sq.Token,
			Body: map[string]string{"token": apptest.LinkToken(t, victimLink)}}).Expect(t, 200)
		if len(h.AuditLog(super.Token, squatter.ID, url.Values{"action": {"user.email.released"}})) != 1 {
			t.Error("the release is not audited in the user's account")
		}

		// Links expire after 72 hours.
		late := h.Invite(victimCo.Admin.Token, victimCo.ID, "late@victim.test", "agent")
		clk.Advance(72*time.Hour + time.Minute)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/invitations/inspect", Body: map[string]string{"token": apptest.LinkToken(t, late.InvitationURL)}}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		// A new link works again (and voids the old one).
		h.Refresh(victimCo.Admin).Expect(t, 200) // its access token aged with the clock
		var again apptest.Invited
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + victimCo.ID + "/users/" + late.ID + "/invitation", Token: victimCo.Admin.Token}).
			Expect(t, 200).Decode(t, &again)
		h.Activate(again.InvitationURL, apptest.Password)
		h.Login("late@victim.test", apptest.Password)
	})
}

// The super admin's "join as administrator": they add themself by email with an empty password
// and accept the invitation.
func TestSuperAdminJoinsAsAdministrator(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme := h.NewTenant(super, "Acme")
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + acme.ID + "/users", Token: super.Token,
			Body: map[string]string{"email": apptest.SuperEmail, "name": "Root", "role": "admin", "password": ""}}).Expect(t, 201)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/invitations/" + acme.ID + "/accept", Token: super.Token}).Expect(t, 204)
		if m := members(t, h, acme.Admin.Token, acme.ID)[super.UserID]; m.Status != "active" || m.Role != "admin" {
			t.Errorf("the super admin in the account: %+v", m)
		}
	})
}
