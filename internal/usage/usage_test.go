package usage_test

import (
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// Counts made on the hot path reach usage_daily on a clean stop, and the
// API answers every day of the range.
func TestUsageSurvivesCleanShutdown(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		super := h.LoginSuper()
		ten := h.NewTenant(super, "Acme")
		for range 5 {
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + ten.ID, Token: ten.Admin.Token}).Expect(t, 200)
		}
		if err := h.App.Stop(5 * time.Second); err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC().Format("2006-01-02")
		var reqs, users int
		must(t, h.App.DB.R.QueryRow(`SELECT value FROM usage_daily WHERE account_id = $1 AND day = $2 AND metric = 'api_requests'`, ten.ID, today).Scan(&reqs))
		must(t, h.App.DB.R.QueryRow(`SELECT value FROM usage_daily WHERE account_id = $1 AND day = $2 AND metric = 'active_users'`, ten.ID, today).Scan(&users))
		if reqs < 5 || users != 2 { // the super admin (who added the admin) and the admin
			t.Fatalf("api_requests=%d active_users=%d", reqs, users)
		}
		from := time.Now().UTC().AddDate(0, 0, -2).Format("2006-01-02")
		r := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + ten.ID + "/usage?metric=api_requests&from=" + from + "&to=" + today,
			Token: ten.Admin.Token}).Expect(t, 200).JSON(t)
		series := r["series"].([]any)
		if len(series) != 3 || series[2].(map[string]any)["value"].(float64) < 6 {
			t.Fatalf("series: %v", series)
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + ten.ID + "/usage?from=2026-13-01", Token: ten.Admin.Token}).ExpectError(t, 400, "VALIDATION_ERROR")
		agent := h.NewMember(ten.Admin.Token, ten.ID, "agent")
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + ten.ID + "/usage", Token: agent.Token}).ExpectError(t, 403, "FORBIDDEN")
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/usage", Token: super.Token}).Expect(t, 200)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/usage", Token: ten.Admin.Token}).ExpectError(t, 403, "FORBIDDEN")
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
