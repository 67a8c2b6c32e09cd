package chatwoot_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

type fixture struct {
	h      *apptest.Hub
	sim    *cwsim.Sim
	simURL string
	clock  *apptest.Clock
	tenant *apptest.Tenant
	seed   cwsim.Seed
}

func setup(t *testing.T, dialect string) *fixture { return setupWith(t, dialect) }

func setupWith(t *testing.T, dialect string, env ...string) *fixture {
	t.Helper()
	clock := apptest.NewClock()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(env...), AppOpts: app.Options{Now: clock.Now}})
	super := h.LoginSuper()
	return &fixture{h: h, sim: sim, simURL: srv.URL, clock: clock, tenant: h.NewTenant(super, "Acme"), seed: sim.Seed()}
}

func (f *fixture) user(email string) cwsim.SeedUser {
	for _, u := range f.seed.Users {
		if u.Email == email {
			return u
		}
	}
	f.h.T.Fatalf("no seed user %s", email)
	return cwsim.SeedUser{}
}

func (f *fixture) link(t *testing.T, chatwootAccount int, token string) *apptest.Resp {
	t.Helper()
	return f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + f.tenant.ID + "/chatwoot", Token: f.tenant.Admin.Token,
		Body: map[string]any{"base_url": f.simURL, "chatwoot_account_id": chatwootAccount, "api_access_token": token}})
}

func (f *fixture) sso(t *testing.T, email string, chatwootAccount int, origin string) *apptest.Resp {
	t.Helper()
	s, err := f.sim.SignIn(email, "Password1!")
	if err != nil {
		t.Fatal(err)
	}
	return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/chatwoot", Header: map[string]string{"Origin": origin},
		Body: map[string]any{"access_token": s.AccessToken, "client": s.Client, "uid": s.UID, "chatwoot_account_id": chatwootAccount}})
}

func TestLink(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, "not-the-token").ExpectError(t, 422, "UNPROCESSABLE")
		f.link(t, 0, "").ExpectError(t, 400, "VALIDATION_ERROR")
		ana := f.user("ana@acme.test")
		r := f.link(t, 1, ana.APIAccessToken).Expect(t, 200)
		if strings.Contains(string(r.Body), ana.APIAccessToken) {
			t.Fatal("the token came back")
		}
		v := r.JSON(t)
		if v["linked"] != true || v["chatwoot_version"] == "" || !strings.HasSuffix(v["webhook_url"].(string), "/webhooks/chatwoot/"+v["id"].(string)) {
			t.Fatalf("view: %v", v)
		}
		var stored string
		if err := f.h.App.DB.R.QueryRow(`SELECT api_token FROM chatwoot_links`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, ana.APIAccessToken) || !strings.HasPrefix(stored, "v1:") {
			t.Fatalf("token not encrypted at rest: %q", stored)
		}
		// install is idempotent: one webhook, one dashboard app, secret kept
		path := "/api/v1/accounts/" + f.tenant.ID + "/chatwoot/install"
		for range 2 {
			v = f.h.Do(apptest.Req{Method: "POST", Path: path, Token: f.tenant.Admin.Token}).Expect(t, 200).JSON(t)
		}
		if len(f.sim.Webhooks(1)) != 1 || len(f.sim.DashboardApps(1)) != 1 || v["webhook_secret_set"] != true {
			t.Fatalf("install: hooks=%d apps=%d view=%v", len(f.sim.Webhooks(1)), len(f.sim.DashboardApps(1)), v)
		}
		// an agent cannot manage the link; another tenant gets 404
		agent := f.h.NewMember(f.tenant.Admin.Token, f.tenant.ID, "agent")
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID + "/chatwoot", Token: agent.Token}).ExpectError(t, 403, "FORBIDDEN")
		// the same Chatwoot account cannot be linked by a second hub account
		other := f.h.NewTenant(f.h.LoginSuper(), "Other")
		f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + other.ID + "/chatwoot", Token: other.Admin.Token,
			Body: map[string]any{"base_url": f.simURL, "chatwoot_account_id": 1, "api_access_token": ana.APIAccessToken}}).ExpectError(t, 409, "CONFLICT")
		// unlink removes what install created
		f.h.Do(apptest.Req{Method: "DELETE", Path: "/api/v1/accounts/" + f.tenant.ID + "/chatwoot", Token: f.tenant.Admin.Token}).Expect(t, 200)
		if len(f.sim.Webhooks(1)) != 0 || len(f.sim.DashboardApps(1)) != 0 {
			t.Fatal("unlink left the webhook or dashboard app in Chatwoot")
		}
	})
}

func TestSSO(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		origin := strings.TrimSuffix(f.simURL, "/")

		admin := f.sso(t, "ana@acme.test", 1, origin).Expect(t, 200).JSON(t)
		if !strings.HasPrefix(admin["token"].(string), "wpi_") || admin["account_id"] != f.tenant.ID {
			t.Fatalf("sso answer: %v", admin)
		}
		if admin["chatwoot_account_id"] != 1.0 {
			t.Fatalf("the SSO answer names the linked Chatwoot account: %v", admin)
		}
		if v := f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: admin["token"].(string)}).Expect(t, 200).JSON(t); v["chatwoot_account_id"] != 1.0 {
			t.Fatalf("validate names the linked Chatwoot account: %v", v)
		}
		if admin["user"].(map[string]any)["role"] != "admin" {
			t.Fatalf("administrator should map to admin: %v", admin["user"])
		}
		agent := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)
		if agent["user"].(map[string]any)["role"] != "agent" {
			t.Fatal("agent role")
		}
		// the instance token works on its account and only within its scopes
		tok := agent["token"].(string)
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID, Token: tok}).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID + "/users", Token: tok}).ExpectError(t, 403, "FORBIDDEN")
		// an embedded token is not a console session
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/sessions", Token: tok}).ExpectError(t, 403, "FORBIDDEN")
		f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/password", Token: tok,
			Body: map[string]string{"current_password": "x", "new_password": "y"}}).ExpectError(t, 403, "FORBIDDEN")
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: tok}).Expect(t, 200)
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"X-API-Key": tok}}).ExpectError(t, 401, "TOKEN_INVALID")
		// the same Chatwoot user signs in again as the same hub user
		again := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)
		if again["user"].(map[string]any)["id"] != agent["user"].(map[string]any)["id"] {
			t.Fatal("a second SSO created another user")
		}
		// a user of two Chatwoot accounts gets the role of the linked one
		eva := f.sso(t, "eva@example.test", 1, origin).Expect(t, 200).JSON(t)
		if eva["user"].(map[string]any)["role"] != "admin" {
			t.Fatal("eva is administrator of account 1")
		}
		// Chatwoot account 2 is not linked; neither is another origin
		f.sso(t, "carla@beta.test", 2, origin).ExpectError(t, 404, "NOT_FOUND")
		f.sso(t, "ana@acme.test", 1, "https://evil.example").ExpectError(t, 404, "NOT_FOUND")
		// a member of the Chatwoot installation but not of the linked account
		f.sso(t, "carla@beta.test", 1, origin).ExpectError(t, 401, "UNAUTHORIZED")
		// forged and expired sessions
		f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/chatwoot", Header: map[string]string{"Origin": origin},
			Body: map[string]any{"access_token": "forged", "client": "x", "uid": "ana@acme.test", "chatwoot_account_id": 1}}).ExpectError(t, 401, "UNAUTHORIZED")
		s, _ := f.sim.SignIn("diego@beta.test", "Password1!")
		f.sim.ExpireSession(s.AccessToken)
		defer func() {
			if strings.Contains(f.h.Logs.String(), s.AccessToken) || strings.Contains(f.h.Logs.String(), s.Client) {
				t.Error("a Chatwoot session token reached the logs")
			}
		}()
		f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/chatwoot", Header: map[string]string{"Origin": origin},
			Body: map[string]any{"access_token": s.AccessToken, "client": s.Client, "uid": s.UID, "chatwoot_account_id": 1}}).ExpectError(t, 401, "UNAUTHORIZED")
		// no Chatwoot secret reaches the logs
		for _, u := range f.seed.Users {
			if strings.Contains(f.h.Logs.String(), u.APIAccessToken) {
				t.Fatalf("the access token of %s was logged", u.Email)
			}
		}
		// removing the member revokes the instance token
		agentID := agent["user"].(map[string]any)["id"].(string)
		f.h.Do(apptest.Req{Method: "DELETE", Path: "/api/v1/accounts/" + f.tenant.ID + "/users/" + agentID, Token: f.tenant.Admin.Token}).Expect(t, 204)
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: tok}).Expect(t, 401)
	})
}

func TestInstanceTokens(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		admin := f.tenant.Admin
		mint := func(token string, body map[string]any) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/instance-tokens", Token: token, Body: body})
		}
		for _, ttl := range []int{14, 61} {
			mint(admin.Token, map[string]any{"account_id": f.tenant.ID, "scopes": []string{"kanban:read"}, "ttl_minutes": ttl}).ExpectError(t, 400, "VALIDATION_ERROR")
		}
		agent := f.h.NewMember(admin.Token, f.tenant.ID, "agent")
		mint(agent.Token, map[string]any{"account_id": f.tenant.ID, "scopes": []string{"users:write"}, "ttl_minutes": 15}).ExpectError(t, 403, "FORBIDDEN")
		other := f.h.NewTenant(f.h.LoginSuper(), "Other")
		mint(admin.Token, map[string]any{"account_id": other.ID, "scopes": []string{"kanban:read"}, "ttl_minutes": 15}).ExpectError(t, 404, "NOT_FOUND")

		tok := mint(admin.Token, map[string]any{"account_id": f.tenant.ID, "scopes": []string{"kanban:read", "account:read"}, "ttl_minutes": 15}).
			Expect(t, 201).JSON(t)["token"].(string)
		v := f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: tok}).Expect(t, 200).JSON(t)
		if v["valid"] != true || v["account_id"] != f.tenant.ID {
			t.Fatalf("validate: %v", v)
		}
		// narrower from a token: fine; wider: refused
		mint(tok, map[string]any{"account_id": f.tenant.ID, "scopes": []string{"kanban:read"}, "ttl_minutes": 15}).Expect(t, 201)
		mint(tok, map[string]any{"account_id": f.tenant.ID, "scopes": []string{"users:read"}, "ttl_minutes": 15}).ExpectError(t, 403, "FORBIDDEN")
		// a foreign Origin cannot use it
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID, Token: tok, Header: map[string]string{"Origin": "https://evil.example"}}).
			ExpectError(t, 401, "TOKEN_INVALID")
		// expiry follows the clock
		f.clock.Advance(16 * time.Minute)
		r := f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: tok}).Expect(t, 401).JSON(t)
		if r["valid"] != false || r["error"].(map[string]any)["code"] != "TOKEN_EXPIRED" {
			t.Fatalf("expired: %v", r)
		}
		admin = f.h.Login(admin.Email, admin.Password)
		tok2 := mint(admin.Token, map[string]any{"account_id": f.tenant.ID, "scopes": []string{"account:read"}, "ttl_minutes": 60}).Expect(t, 201).JSON(t)["token"].(string)
		f.h.Do(apptest.Req{Method: "DELETE", Path: "/api/v1/instance-tokens/current", Token: tok2}).Expect(t, 204)
		r = f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: tok2}).Expect(t, 401).JSON(t)
		if r["error"].(map[string]any)["code"] != "TOKEN_REVOKED" {
			t.Fatalf("revoked: %v", r)
		}
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/instance-tokens/validate", Token: "wpi_nope"}).Expect(t, 401)
		_ = strconv.Itoa
		_ = http.StatusOK
	})
}
