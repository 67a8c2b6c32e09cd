package chatwoot_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// With private networks closed (production's default), a tenant admin
// cannot make the hub call its own listener or a cloud metadata address.
func TestLinkCannotReachPrivateAddresses(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_ALLOW_PRIVATE_NETWORK=false")})
	ten := h.NewTenant(h.LoginSuper(), "Acme")
	for _, base := range []string{h.URL, "http://169.254.169.254", "http://localhost:9", "http://10.0.0.1"} {
		r := h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + ten.ID + "/chatwoot", Token: ten.Admin.Token,
			Body: map[string]any{"base_url": base, "chatwoot_account_id": 1, "api_access_token": "t"}})
		r.ExpectError(t, 502, "UPSTREAM_ERROR")
		if !strings.Contains(string(r.Body), "forbidden") && !strings.Contains(string(r.Body), "not allowed") && !strings.Contains(string(r.Body), "private") {
			t.Errorf("%s: the refusal should say why: %s", base, r.Body)
		}
	}
	if n := h.Count(`SELECT count(*) FROM chatwoot_links`); n != 0 {
		t.Fatalf("%d links stored", n)
	}
}
