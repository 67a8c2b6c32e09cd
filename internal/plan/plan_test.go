package plan_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

func TestPlansAndEntitlements(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		super := h.LoginSuper()
		ten := h.NewTenant(super, "Acme")
		do := func(token, method, path string, body any) *apptest.Resp {
			return h.Do(apptest.Req{Method: method, Path: path, Token: token, Body: body})
		}
		do(ten.Admin.Token, "POST", "/api/v1/plans", map[string]any{"name": "Pro"}).ExpectError(t, 403, "FORBIDDEN")
		do(super.Token, "POST", "/api/v1/plans", map[string]any{"name": "Pro", "limits": map[string]int{"max_warp": 1}}).ExpectError(t, 400, "VALIDATION_ERROR")
		var p struct{ ID string }
		do(super.Token, "POST", "/api/v1/plans", map[string]any{"name": "Small", "limits": map[string]int{"max_agents": 3, "max_inboxes": 1},
			"features": map[string]bool{"kanban": true}}).Expect(t, 201).Decode(t, &p)
		do(super.Token, "POST", "/api/v1/plans", map[string]any{"name": "Small"}).ExpectError(t, 409, "CONFLICT")
		if n := len(do(super.Token, "GET", "/api/v1/plans", nil).Expect(t, 200).JSON(t)["data"].([]any)); n != 2 {
			t.Fatalf("plans listed: %d (built-in + Small)", n)
		}
		do(super.Token, "PATCH", "/api/v1/plans/default", map[string]any{"name": "X"}).ExpectError(t, 409, "CONFLICT")
		do(super.Token, "PATCH", "/api/v1/plans/"+p.ID, map[string]any{"limits": map[string]any{"max_boards": 2}}).Expect(t, 200)

		base := "/api/v1/accounts/" + ten.ID
		do(ten.Admin.Token, "PUT", base+"/plan", map[string]any{"plan_id": p.ID}).ExpectError(t, 403, "FORBIDDEN")
		do(super.Token, "PUT", base+"/plan", map[string]any{"plan_id": "nope"}).ExpectError(t, 400, "VALIDATION_ERROR")
		do(super.Token, "PUT", base+"/plan", map[string]any{"plan_id": p.ID, "overrides": map[string]int{"max_agents": 2}}).Expect(t, 200)
		ent := do(ten.Admin.Token, "GET", base+"/entitlements", nil).Expect(t, 200).JSON(t)
		limits := map[string]map[string]any{}
		for _, l := range ent["limits"].([]any) {
			m := l.(map[string]any)
			limits[m["name"].(string)] = m
		}
		if limits["max_agents"]["limit"] != 2.0 || limits["max_agents"]["used"] != 1.0 || limits["max_boards"]["limit"] != 2.0 {
			t.Fatalf("entitlements: %v", limits)
		}
		if limits["max_messages_per_month"]["limit"] != nil {
			t.Fatalf("a limit the plan does not set is unlimited (null): %v", limits["max_messages_per_month"])
		}
		// the plan's features drive the flags: Small has only kanban
		f := do(ten.Admin.Token, "GET", "/api/v1/features?account_id="+ten.ID, nil).Expect(t, 200).JSON(t)["features"].(map[string]any)
		if f["kanban"] != true || f["internal_chat"] != false {
			t.Fatalf("plan features: %v", f)
		}
		do(super.Token, "DELETE", "/api/v1/plans/"+p.ID, nil).ExpectError(t, 409, "CONFLICT")

		// one agent slot left: two people invited, both activate at once, exactly one gets in
		links := make([]string, 2)
		for i := range links {
			links[i] = h.Invite(ten.Admin.Token, ten.ID, apptest.UniqueEmail("race"), "agent").InvitationURL
		}
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := do("", "POST", "/api/v1/invitations/activate", map[string]string{"token": apptest.LinkToken(t, links[i]), "password": apptest.Password})
				codes[i] = r.Status
				if r.Status == http.StatusUnprocessableEntity && r.ErrorCode() != "LIMIT_EXCEEDED" {
					t.Errorf("code %s", r.ErrorCode())
				}
			}()
		}
		wg.Wait()
		if !((codes[0] == 204 && codes[1] == 422) || (codes[0] == 422 && codes[1] == 204)) {
			t.Fatalf("concurrent activations at the last slot: %v", codes)
		}
		// the plan is full: a new invitation is refused at once
		r := do(ten.Admin.Token, "POST", base+"/users", map[string]any{"email": apptest.UniqueEmail("over"), "name": "O", "role": "agent"})
		r.ExpectError(t, 422, "LIMIT_EXCEEDED")
		det := r.JSON(t)["error"].(map[string]any)["details"].([]any)[0].(map[string]any)
		if det["limit"] != 2.0 || det["used"] != 2.0 {
			t.Fatalf("details: %v", det)
		}
	})
}
