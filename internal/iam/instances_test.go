package iam_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Two hubs on one database behave as one: a session or key revoked through
// one fails on the other as soon as the database's notification reaches it
// (on SQLite, at the very next request), and login failures counted by one
// throttle the other.
func TestInstancesShareRevocationAndThrottling(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		one := newHub(t, dialect, apptest.Options{})
		var shared []string
		for _, kv := range one.Environ() {
			if !strings.HasPrefix(kv, "WHATPRO_PUBLIC_URL=") {
				shared = append(shared, kv)
			}
		}
		two := apptest.New(t, dialect, apptest.Options{Env: shared})

		acme := one.NewTenant(one.LoginSuper(), "Acme")
		laptop := one.Login(acme.Admin.Email, apptest.Password)
		two.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Token: laptop.Token}).Expect(t, 200)
		one.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Token: laptop.Token}).Expect(t, 200)

		two.Do(apptest.Req{Method: "DELETE", Path: "/api/v1/sessions/" + laptop.SessionID, Token: acme.Admin.Token}).Expect(t, 204)
		soon(t, dialect, "the session revoked on the other hub", func() *apptest.Resp {
			return one.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Token: laptop.Token})
		}).ExpectError(t, 401, "SESSION_REVOKED")

		k := one.CreateAPIKey(acme.Admin.Token, acme.ID, "ci", "users:read")
		one.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Header: apptest.KeyHeader(k.Key)}).Expect(t, 200)
		two.Do(apptest.Req{Method: "DELETE", Path: "/api/v1/accounts/" + acme.ID + "/api-keys/" + k.ID, Token: acme.Admin.Token}).Expect(t, 204)
		soon(t, dialect, "the key revoked on the other hub", func() *apptest.Resp {
			return one.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID + "/users", Header: apptest.KeyHeader(k.Key)})
		}).ExpectError(t, 401, "TOKEN_REVOKED")

		for i := range 10 {
			hub := []*apptest.Hub{one, two}[i%2]
			hub.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: login(acme.Admin.Email, "wrong-password-"+strconv.Itoa(i))}).
				ExpectError(t, 401, "UNAUTHORIZED")
		}
		for _, hub := range []*apptest.Hub{one, two} {
			hub.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: login(acme.Admin.Email, apptest.Password)}).
				ExpectError(t, 429, "RATE_LIMITED")
		}
	})
}

// soon makes a request until it stops succeeding: on PostgreSQL a change
// made elsewhere (another hub, the CLI, plain SQL) reaches this hub's
// authorisation cache through a notification, a moment after the commit;
// on SQLite the very next request must see it, so it is asked once.
func soon(t *testing.T, dialect, what string, do func() *apptest.Resp) *apptest.Resp {
	t.Helper()
	r := do()
	if dialect != "postgres" {
		return r
	}
	apptest.Eventually(t, what, func() bool {
		if r.Status < 300 {
			r = do()
		}
		return r.Status >= 300
	})
	return r
}
