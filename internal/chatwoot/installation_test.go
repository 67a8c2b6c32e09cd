package chatwoot_test

import (
	"net"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// A Chatwoot installation is its canonical origin: two spellings of one URL cannot link the same
// Chatwoot account to two hub accounts.
func TestOneInstallationWhateverItsSpelling(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
		l, err := net.Listen("tcp", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		srv := httptest.NewUnstartedServer(sim.Handler())
		srv.Listener = l
		srv.Start()
		t.Cleanup(srv.Close)
		t.Cleanup(sim.Close)
		port := l.Addr().(*net.TCPAddr).Port
		token := adminOf(sim.Seed(), 1)
		link := func(tenant *apptest.Tenant, base string) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + tenant.ID + "/chatwoot", Token: tenant.Admin.Token,
				Body: map[string]any{"base_url": base, "chatwoot_account_id": 1, "api_access_token": token}})
		}
		link(f.tenant, "http://[::1]:"+itoa(port)).Expect(t, 200)
		other := f.h.NewTenant(f.h.LoginSuper(), "Other")
		for _, spelling := range []string{"http://[0:0:0:0:0:0:0:1]:" + itoa(port), "HTTP://[::1]:" + itoa(port) + "/"} {
			link(other, spelling).ExpectError(t, 409, "CONFLICT")
		}
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_links`); n != 1 {
			t.Errorf("%d links to one Chatwoot account", n)
		}
	})
}

// Re-linking to another installation forgets what the old one held: its webhook's secret and id
// (and the URL token and app tab), so nothing signed for the old one authenticates for the new.
func TestRelinkingForgetsTheOldInstallation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		base := "/api/v1/accounts/" + f.tenant.ID + "/chatwoot"
		f.h.Do(apptest.Req{Method: "POST", Path: base + "/install", Token: f.tenant.Admin.Token}).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "PUT", Path: base + "/url-token", Token: f.tenant.Admin.Token, Body: map[string]any{"enabled": true}}).Expect(t, 200)
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_links WHERE webhook_secret IS NOT NULL AND webhook_id IS NOT NULL AND url_token IS NOT NULL`); n != 1 {
			t.Fatal("install did not store the webhook secret and id")
		}
		second := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
		srv := httptest.NewServer(second.Handler())
		t.Cleanup(srv.Close)
		t.Cleanup(second.Close)
		v := f.h.Do(apptest.Req{Method: "PUT", Path: base, Token: f.tenant.Admin.Token,
			Body: map[string]any{"base_url": srv.URL, "chatwoot_account_id": 1, "api_access_token": adminOf(second.Seed(), 1)}}).Expect(t, 200).JSON(t)
		if v["webhook_secret_set"] != false || v["webhook_installed"] != false || v["dashboard_app_installed"] != false || v["url_token_enabled"] != false {
			t.Errorf("view after re-linking: %v", v)
		}
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_links WHERE webhook_secret IS NULL AND webhook_id IS NULL AND url_token IS NULL AND dashboard_app_id IS NULL`); n != 1 {
			t.Error("the old installation's webhook secret, id or URL token survived re-linking")
		}
		rows := f.h.AuditLog(f.tenant.Admin.Token, f.tenant.ID, url.Values{"action": {"chatwoot.origin_changed"}})
		if len(rows) != 1 || !strings.Contains(string(rows[0].After), `"sensitive":true`) || !strings.Contains(string(rows[0].Before), f.simURL) {
			t.Errorf("audit: %+v", rows)
		}
		// Re-saving the same installation keeps what install made.
		f.h.Do(apptest.Req{Method: "POST", Path: base + "/install", Token: f.tenant.Admin.Token}).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "PUT", Path: base, Token: f.tenant.Admin.Token,
			Body: map[string]any{"base_url": srv.URL, "chatwoot_account_id": 1, "api_access_token": adminOf(second.Seed(), 1)}}).Expect(t, 200)
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_links WHERE webhook_secret IS NOT NULL AND webhook_id IS NOT NULL`); n != 1 {
			t.Error("re-saving the same installation dropped its webhook")
		}
	})
}

func adminOf(seed cwsim.Seed, account int) string {
	for _, u := range seed.Users {
		for _, m := range u.Accounts {
			if m.ID == account && m.Role == cwsim.RoleAdministrator {
				return u.APIAccessToken
			}
		}
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
