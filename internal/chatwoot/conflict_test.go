package chatwoot_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A Chatwoot account another hub account holds is refused with a field
// error the console translates (code "taken", the id as a param), never the
// database's words: when checked first, and when two hub accounts link it
// at once and the unique index decides.
func TestChatwootAccountTakenIsAFieldError(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		super := f.h.LoginSuper()
		token := f.user("ana@acme.test").APIAccessToken
		tenants := []*apptest.Tenant{f.tenant, f.h.NewTenant(super, "Other"), f.h.NewTenant(super, "Third")}
		link := func(ten *apptest.Tenant) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + ten.ID + "/chatwoot", Token: ten.Admin.Token,
				Body: map[string]any{"base_url": f.simURL, "chatwoot_account_id": 1, "api_access_token": token}})
		}
		taken := func(r *apptest.Resp) {
			t.Helper()
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Details []struct {
						Field  string         `json:"field"`
						Code   string         `json:"code"`
						Params map[string]any `json:"params"`
					} `json:"details"`
				} `json:"error"`
			}
			r.Decode(t, &e)
			if r.Status != 409 || e.Error.Code != "CONFLICT" || len(e.Error.Details) != 1 || e.Error.Details[0].Field != "chatwoot_account_id" ||
				e.Error.Details[0].Code != "taken" || e.Error.Details[0].Params["chatwoot_account_id"] != 1.0 {
				t.Errorf("a taken Chatwoot account: %d %s", r.Status, r.Body)
			}
			if b := strings.ToLower(string(r.Body)); strings.Contains(b, "unique") || strings.Contains(b, "constraint") || strings.Contains(b, "sql") {
				t.Errorf("the answer shows the database's words: %s", r.Body)
			}
		}

		// Two at once: one links, the other is told the account is taken.
		resps := make([]*apptest.Resp, 2)
		var wg sync.WaitGroup
		for i := range resps {
			wg.Add(1)
			go func() { defer wg.Done(); resps[i] = link(tenants[i]) }()
		}
		wg.Wait()
		won := 0
		for _, r := range resps {
			if r.Status == 200 {
				won++
			} else {
				taken(r)
			}
		}
		if won != 1 {
			t.Fatalf("%d of two simultaneous links won", won)
		}
		// Later, the check before writing answers the same.
		taken(link(tenants[2]))
	})
}
