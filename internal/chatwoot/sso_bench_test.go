package chatwoot_test

import (
	"net/http/httptest"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// BenchmarkSSO measures POST /api/v1/auth/chatwoot with the profile check
// cached (warm: the same session again within 30 s) and not (cold: a new
// Chatwoot session each time, so the hub asks Chatwoot's profile and
// inboxes).
func BenchmarkSSO(b *testing.B) {
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	defer sim.Close()
	h := apptest.New(b, "sqlite", apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_RATE_LIMIT_ANON=1000000")})
	ten := h.NewTenant(h.LoginSuper(), "Acme")
	var token string
	for _, u := range sim.Seed().Users {
		if u.Email == "ana@acme.test" {
			token = u.APIAccessToken
		}
	}
	h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + ten.ID + "/chatwoot", Token: ten.Admin.Token,
		Body: map[string]any{"base_url": srv.URL, "chatwoot_account_id": 1, "api_access_token": token}}).Expect(b, 200)
	sso := func(s cwsim.Session) {
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/chatwoot", Header: map[string]string{"Origin": srv.URL},
			Body: map[string]any{"access_token": s.AccessToken, "client": s.Client, "uid": s.UID, "chatwoot_account_id": 1}}).Expect(b, 200)
	}
	b.Run("warm", func(b *testing.B) {
		s, _ := sim.SignIn("bruno@acme.test", "Password1!")
		sso(s)
		b.ResetTimer()
		for range b.N {
			sso(s)
		}
	})
	b.Run("cold", func(b *testing.B) {
		sessions := make([]cwsim.Session, b.N)
		for i := range sessions {
			sessions[i], _ = sim.SignIn("bruno@acme.test", "Password1!")
		}
		b.ResetTimer()
		for i := range b.N {
			sso(sessions[i])
		}
	})
}
