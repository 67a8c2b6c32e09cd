package iam_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// The numbers the identity note reports: a login (one argon2id check) and
// an authenticated, account-scoped request (session or key lookup,
// membership, permission) through the real HTTP stack.
func benchDialects() []string {
	if os.Getenv("WHATPRO_TEST_POSTGRES_URL") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

func benchHub(b *testing.B, dialect string) (*apptest.Hub, *apptest.Tenant, apptest.APIKey) {
	h := apptest.New(b, dialect, apptest.Options{Env: apptest.SuperAdminEnv(
		"WHATPRO_RATE_LIMIT_ANON=1000000", "WHATPRO_RATE_LIMIT_AUTH=1000000", "WHATPRO_LOG_LEVEL=info")})
	acme := h.NewTenant(h.LoginSuper(), "Acme")
	return h, acme, h.CreateAPIKey(acme.Admin.Token, acme.ID, "bench", "users:read")
}

func BenchmarkLogin(b *testing.B) {
	for _, d := range benchDialects() {
		b.Run(d, func(b *testing.B) {
			h, acme, _ := benchHub(b, d)
			body := login(acme.Admin.Email, apptest.Password)
			for b.Loop() {
				h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: body}).Expect(b, 200)
			}
		})
	}
}

// BenchmarkLoginFailure times failed logins for an existing and an unknown email: the same
// work, so the same time (TestFailedLoginsDoEqualWork proves the work is the same; this shows
// what it costs, on a quiet machine).
func BenchmarkLoginFailure(b *testing.B) {
	for _, d := range benchDialects() {
		h, acme, _ := benchHub(b, d)
		for _, c := range []struct{ name, email string }{{"existing", acme.Admin.Email}, {"unknown", "nobody@example.test"}} {
			b.Run(d+"/"+c.name, func(b *testing.B) {
				body := login(c.email, "wrong-password-1")
				for b.Loop() {
					// Forget earlier failures (untimed) so the throttle never answers instead.
					b.StopTimer()
					h.Exec(`DELETE FROM login_attempts`)
					b.StartTimer()
					h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: body}).Expect(b, 401)
				}
			})
		}
	}
}

func BenchmarkAuthenticatedRequest(b *testing.B) {
	for _, d := range benchDialects() {
		h, acme, key := benchHub(b, d)
		path := "/api/v1/accounts/" + acme.ID + "/users"
		b.Run(d+"/session", func(b *testing.B) {
			for b.Loop() {
				h.Do(apptest.Req{Method: "GET", Path: path, Token: acme.Admin.Token}).Expect(b, 200)
			}
		})
		b.Run(d+"/api-key", func(b *testing.B) {
			for b.Loop() {
				h.Do(apptest.Req{Method: "GET", Path: path, Header: apptest.KeyHeader(key.Key)}).Expect(b, 200)
			}
		})
	}
}

// BenchmarkHandlerChain serves the cheap authenticated GET straight
// through the hub's handler (no socket), so -benchmem shows what the
// middleware chain, the handler and the JSON encoding allocate.
func BenchmarkHandlerChain(b *testing.B) {
	for _, d := range benchDialects() {
		h, acme, key := benchHub(b, d)
		handler := h.Srv.Config.Handler
		path := "/api/v1/accounts/" + acme.ID + "/users"
		for _, c := range []struct {
			name string
			set  func(r *http.Request)
		}{
			{"session", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+acme.Admin.Token) }},
			{"api-key", func(r *http.Request) { r.Header.Set("X-API-Key", key.Key) }},
		} {
			b.Run(d+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r := httptest.NewRequest("GET", h.URL+path, nil)
					c.set(r)
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, r)
					if w.Code != 200 {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		}
	}
}
