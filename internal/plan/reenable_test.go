package plan_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Re-enabling a disabled member takes a plan slot like adding one does: max_agents 2 cannot be
// stretched to 3 by disabling, adding and re-enabling.
func TestReenablingAMemberReservesASlot(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		super := h.LoginSuper()
		ten := h.NewTenant(super, "Acme")
		var p struct{ ID string }
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/plans", Token: super.Token,
			Body: map[string]any{"name": "Two", "limits": map[string]int{"max_agents": 2}}}).Expect(t, 201).Decode(t, &p)
		base := "/api/v1/accounts/" + ten.ID
		h.Do(apptest.Req{Method: "PUT", Path: base + "/plan", Token: super.Token, Body: map[string]any{"plan_id": p.ID}}).Expect(t, 200)
		first := h.NewMember(ten.Admin.Token, ten.ID, "agent") // admin + first: 2 of 2
		h.Do(apptest.Req{Method: "PATCH", Path: base + "/users/" + first.UserID, Token: ten.Admin.Token, Body: map[string]any{"active": false}}).Expect(t, 200)
		h.NewMember(ten.Admin.Token, ten.ID, "agent") // the freed slot: 2 of 2 again
		h.Do(apptest.Req{Method: "PATCH", Path: base + "/users/" + first.UserID, Token: ten.Admin.Token, Body: map[string]any{"active": true}}).
			ExpectError(t, 422, "LIMIT_EXCEEDED")
		if n := h.Count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND status = 'active'`, ten.ID); n != 2 {
			t.Errorf("%d active members on a plan of 2", n)
		}
	})
}
