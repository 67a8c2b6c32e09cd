package iam_test

import (
	"net/url"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A super admin who created an account joins it in one click: an active
// admin, one seat, audited; joining again changes nothing, and nobody else
// can join that way.
func TestSuperAdminJoinsAccount(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme := h.NewTenant(super, "Acme")
		other := h.NewTenant(super, "Other")
		join := "/api/v1/accounts/" + acme.ID + "/join"
		active := func() int {
			return h.Count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND status = 'active'`, acme.ID)
		}
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "an account admin cannot", Method: "POST", Path: join, Header: apptest.Bearer(acme.Admin.Token), Status: 403, Code: "FORBIDDEN"},
			{Name: "another tenant's admin cannot", Method: "POST", Path: join, Header: apptest.Bearer(other.Admin.Token), Status: 404, Code: "NOT_FOUND"},
		})
		if n := active(); n != 1 {
			t.Fatalf("refused joins changed the members: %d active", n)
		}
		h.Do(apptest.Req{Method: "POST", Path: join, Token: super.Token}).Expect(t, 201).JSON(t)
		h.Do(apptest.Req{Method: "POST", Path: join, Token: super.Token}).Expect(t, 200)
		if n := active(); n != 2 {
			t.Fatalf("%d active members after joining twice", n)
		}
		me := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: super.Token}).Expect(t, 200).JSON(t)
		found := false
		for _, m := range me["memberships"].([]any) {
			mm := m.(map[string]any)
			if mm["account_id"] == acme.ID && mm["role"] == "admin" && mm["status"] == "active" {
				found = true
			}
		}
		if !found {
			t.Errorf("the super admin's memberships lack Acme as admin: %v", me["memberships"])
		}
		if rows := h.AuditLog(acme.Admin.Token, acme.ID, url.Values{"action": {"account.joined"}}); len(rows) != 1 || rows[0].ActorID != super.UserID {
			t.Errorf("account.joined audit: %+v", rows)
		}

		// A full plan refuses a new seat.
		full := h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + other.ID + "/plan", Token: super.Token,
			Body: map[string]any{"plan_id": "default", "overrides": map[string]int{"max_agents": 1}}})
		full.Expect(t, 200)
		r := h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + other.ID + "/join", Token: super.Token})
		if r.Status < 400 {
			t.Fatalf("joining a full account: %d %s", r.Status, r.Body)
		}
		if n := h.Count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND status = 'active'`, other.ID); n != 1 {
			t.Errorf("a refused join took a seat: %d active", n)
		}
	})
}
