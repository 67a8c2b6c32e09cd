package chatwoot_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// seats is what the plan counts against max_agents, as the API answers it.
func (f *fixture) seats(t *testing.T) int {
	t.Helper()
	var ent struct {
		Limits []struct {
			Name string `json:"name"`
			Used int    `json:"used"`
		} `json:"limits"`
	}
	f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID + "/entitlements", Token: f.tenant.Admin.Token}).Expect(t, 200).Decode(t, &ent)
	for _, l := range ent.Limits {
		if l.Name == "max_agents" {
			return l.Used
		}
	}
	t.Fatal("no max_agents in the entitlements")
	return 0
}

// members is the account's member list (ids), as the console shows it.
func (f *fixture) members(t *testing.T) []string {
	t.Helper()
	var page struct {
		Data []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"data"`
	}
	f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID + "/users", Token: f.tenant.Admin.Token}).Expect(t, 200).Decode(t, &page)
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID+" "+m.Name)
	}
	return ids
}

// One person, one seat: an admin with a hub login who opens the hub inside
// Chatwoot is, until linked, a second member (the Chatwoot identity's
// placeholder user) and a second seat; once linked, one person and one
// seat, and the embedded pages stop offering to link. Redeeming several
// codes at once while the same Chatwoot user signs in again counts nobody
// twice.
func TestLinkingFreesTheSecondSeat(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		admin := f.tenant.Admin
		if n := f.seats(t); n != 1 {
			t.Fatalf("seats before any Chatwoot sign-in: %d", n)
		}
		first := f.sso(t, "bruno@acme.test", 1, f.simURL).Expect(t, 200).JSON(t)
		tok, placeholder := first["token"].(string), first["user"].(map[string]any)["id"].(string)
		if n := f.seats(t); n != 2 {
			t.Fatalf("seats with the Chatwoot identity unlinked: %d", n)
		}
		if m := f.members(t); len(m) != 2 || !strings.Contains(strings.Join(m, ","), "Bruno Agente") {
			t.Fatalf("members before linking: %v", m)
		}
		validate := func(token string) map[string]any {
			return f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: token}).Expect(t, 200).JSON(t)
		}
		if v := validate(tok); v["identity_linked"] != false {
			t.Fatalf("a placeholder's token says identity_linked=%v", v["identity_linked"])
		}

		// Two codes minted inside Chatwoot, redeemed at once, while the Chatwoot user signs in again.
		mint := func() string {
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/chatwoot-identity/codes", Token: tok}).Expect(t, 201).JSON(t)["code"].(string)
		}
		codes := []string{mint(), mint()}
		s, err := f.sim.SignIn("bruno@acme.test", "Password1!")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		statuses := make([]int, len(codes)+2)
		for i, code := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/chatwoot-identity", Token: admin.Token,
					Body: map[string]string{"code": code, "password": apptest.Password}}).Status
			}()
		}
		for i := len(codes); i < len(statuses); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/chatwoot", Header: map[string]string{"Origin": f.simURL},
					Body: map[string]any{"access_token": s.AccessToken, "client": s.Client, "uid": s.UID, "chatwoot_account_id": 1}}).Status
			}()
		}
		wg.Wait()
		for i, st := range statuses[:len(codes)] {
			if st != 200 {
				t.Errorf("redeeming code %d: %d", i, st)
			}
		}

		if n := f.seats(t); n != 1 {
			t.Fatalf("seats after linking: %d", n)
		}
		m := f.members(t)
		if len(m) != 1 || !strings.HasPrefix(m[0], admin.UserID+" ") {
			t.Fatalf("members after linking: %v (the admin is %s)", m, admin.UserID)
		}
		if n := f.h.Count(`SELECT count(*) FROM memberships WHERE user_id = $1 AND status = 'active'`, placeholder); n != 0 {
			t.Errorf("the placeholder keeps %d active memberships", n)
		}

		// Chatwoot now signs in the admin: one seat still, and no offer to link.
		again := f.sso(t, "bruno@acme.test", 1, f.simURL).Expect(t, 200).JSON(t)
		if again["user"].(map[string]any)["id"] != admin.UserID {
			t.Fatalf("SSO after linking signs in %v", again["user"])
		}
		if v := validate(again["token"].(string)); v["identity_linked"] != true {
			t.Errorf("a linked identity's token says identity_linked=%v", v["identity_linked"])
		}
		if n := f.seats(t); n != 1 {
			t.Errorf("seats after signing in again: %d", n)
		}
	})
}
