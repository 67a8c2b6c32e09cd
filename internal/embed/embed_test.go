package embed_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/httpx"
)

// What every embed decision is checked against: two hub accounts, each linked to its own
// Chatwoot installation (two simulators, two origins), one configured extra origin, and the dev
// console's origin that development mode allows.
const extraOrigin = "https://extra.example"

const devConsoleOrigin = "http://localhost:5173"

type fixture struct {
	h              *apptest.Hub
	super          *apptest.Session
	a, b           *apptest.Tenant
	originA        string
	originB        string
	simA           *cwsim.Sim
	seedA          cwsim.Seed
	unlinkedTenant *apptest.Tenant
}

func newSim(t *testing.T) (*cwsim.Sim, string) {
	t.Helper()
	sim := cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	return sim, srv.URL
}

func adminToken(seed cwsim.Seed, account int) string {
	for _, u := range seed.Users {
		for _, m := range u.Accounts {
			if m.ID == account && m.Role == cwsim.RoleAdministrator {
				return u.APIAccessToken
			}
		}
	}
	return ""
}

func setup(t *testing.T, dialect string) *fixture {
	t.Helper()
	simA, urlA := newSim(t)
	simB, urlB := newSim(t)
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_CORS_ORIGINS=" + extraOrigin)})
	super := h.LoginSuper()
	f := &fixture{h: h, super: super, a: h.NewTenant(super, "A"), b: h.NewTenant(super, "B"), originA: urlA, originB: urlB,
		simA: simA, seedA: simA.Seed(), unlinkedTenant: h.NewTenant(super, "C")}
	link := func(tenant *apptest.Tenant, base string, seed cwsim.Seed) {
		h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + tenant.ID + "/chatwoot", Token: tenant.Admin.Token,
			Body: map[string]any{"base_url": base, "chatwoot_account_id": 1, "api_access_token": adminToken(seed, 1)}}).Expect(t, 200)
	}
	link(f.a, urlA, f.seedA)
	link(f.b, urlB, simB.Seed())
	return f
}

func (f *fixture) get(path string, header map[string]string) *apptest.Resp {
	return f.h.Do(apptest.Req{Method: "GET", Path: path, Header: header})
}

// directives splits a CSP into name → value.
func directives(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		name, value, _ := strings.Cut(d, " ")
		out[name] = value
	}
	return out
}

func frameAncestors(r *apptest.Resp) []string {
	return strings.Fields(directives(r.Header.Get("Content-Security-Policy"))["frame-ancestors"])
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestEmbedPageHeaders(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		f := setup(t, dialect)
		baseline := directives(httpx.BaselineCSP)

		cases := []struct {
			name, path string
			ancestors  []string
		}{
			{"a panel of account A", "/embed/app/kanban?account=" + f.a.ID, []string{f.originA, extraOrigin, devConsoleOrigin}},
			{"a panel of account B", "/embed/app/hub_admin?account=" + f.b.ID, []string{f.originB, extraOrigin, devConsoleOrigin}},
			{"an account without a link", "/embed/app/kanban?account=" + f.unlinkedTenant.ID, []string{extraOrigin, devConsoleOrigin}},
			{"an account that does not exist", "/embed/app/kanban?account=nope", []string{extraOrigin, devConsoleOrigin}},
			// Without an account no tenant's origin is named: the shared URL
			// must not disclose the hub's customers nor let B frame A's tab.
			{"the conversation tab without an account", "/embed/conversation", []string{extraOrigin, devConsoleOrigin}},
			{"a panel without an account", "/embed/app/kanban", []string{extraOrigin, devConsoleOrigin}},
			{"the conversation tab of account A", "/embed/conversation?account=" + f.a.ID, []string{f.originA, extraOrigin, devConsoleOrigin}},
		}
		for _, c := range cases {
			r := f.get(c.path, nil).Expect(t, 200)
			if got := frameAncestors(r); !sameSet(got, c.ancestors) {
				t.Errorf("%s: frame-ancestors %v, want exactly %v", c.name, got, c.ancestors)
			}
			if xfo := r.Header.Get("X-Frame-Options"); xfo != "" {
				t.Errorf("%s: X-Frame-Options %q on an embed page", c.name, xfo)
			}
			// Everything else is the baseline policy: scripts from self only, no eval, no inline script.
			d := directives(r.Header.Get("Content-Security-Policy"))
			for name, want := range baseline {
				if name != "frame-ancestors" && d[name] != want {
					t.Errorf("%s: %s is %q, want the baseline %q", c.name, name, d[name], want)
				}
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" || r.Header.Get("Permissions-Policy") == "" {
				t.Errorf("%s: missing baseline headers: %v", c.name, r.Header)
			}
			if r.Header.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS on an http hub", c.name)
			}
			if r.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s: CORS headers on a page", c.name)
			}
			// The page names the same origins for its handshake (when the web app is built).
			body := string(r.Body)
			if strings.Contains(body, `name="whatpro-frame-origins"`) {
				want := `<meta name="whatpro-frame-origins" content="` + strings.Join(c.ancestors, " ") + `">`
				if !strings.Contains(body, want) && !sameSet(metaOrigins(body), c.ancestors) {
					t.Errorf("%s: the page's frame origins are %v, want %v", c.name, metaOrigins(body), c.ancestors)
				}
				if !strings.Contains(body, `name="whatpro-base" content="/"`) {
					t.Errorf("%s: whatpro-base not written", c.name)
				}
			}
		}

		// Every other page refuses to be framed at all.
		for _, path := range []string{"/", "/login", "/accounts", "/embed", "/api/v1/version", "/embed/dashboard-script.js", "/embed/context?chatwoot_account_id=1"} {
			r := f.get(path, nil)
			if got := frameAncestors(r); !slices.Equal(got, []string{"'none'"}) {
				t.Errorf("%s: frame-ancestors %v, want 'none'", path, got)
			}
			if r.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: X-Frame-Options %q, want DENY", path, r.Header.Get("X-Frame-Options"))
			}
		}
	})
}

func metaOrigins(body string) []string {
	const open = `<meta name="whatpro-frame-origins" content="`
	i := strings.Index(body, open)
	if i < 0 {
		return nil
	}
	rest := body[i+len(open):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return strings.Fields(rest[:j])
}

func TestDashboardScriptIsServedWithTheHubBakedIn(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		f := setup(t, dialect)
		r := f.get("/embed/dashboard-script.js", map[string]string{"Origin": f.originA}).Expect(t, 200)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("Content-Type %q", ct)
		}
		body := string(r.Body)
		if strings.Contains(body, "__WHATPRO_HUB_URL__") {
			t.Error("the placeholder was not replaced")
		}
		hubURL := strings.TrimSuffix(f.h.URL, "/")
		if !strings.Contains(body, `var HUB_URL = '`+hubURL+`';`) {
			t.Errorf("the script does not carry the hub URL %s", hubURL)
		}
		if !strings.Contains(body, "'use strict'") || strings.Contains(body, "postMessage(msg, '*')") || strings.Contains(body, `, '*')`) {
			t.Error("the script is not strict, or posts to '*'")
		}
		if r.Header.Get("Access-Control-Allow-Origin") != f.originA || r.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
			t.Errorf("a linked Chatwoot cannot load it: %v", r.Header)
		}
	})
}

// corsRoute is one request a Chatwoot page (the dashboard script) makes.
type corsRoute struct {
	method, path string
}

var corsRoutes = []corsRoute{
	{"POST", "/api/v1/auth/chatwoot"},
	{"GET", "/api/v1/features?account_id=x"},
	{"POST", "/api/v1/instance-tokens"},
	{"GET", "/api/v1/instance-tokens/validate"},
	{"DELETE", "/api/v1/instance-tokens/current"},
	{"GET", "/api/v1/platform-app/config?account_id=x"},
	{"GET", "/embed/context?chatwoot_account_id=1"},
	{"GET", "/embed/dashboard-script.js"},
	{"POST", "/api/v1/realtime/tickets"},
	{"GET", "/api/v1/accounts/x/chat/rooms"},
	{"GET", "/api/v1/accounts/x/chat/unread"},
	{"GET", "/api/v1/accounts/x/chat/people"},
}

// Routes a Chatwoot page has no business calling across origins.
var noCORSRoutes = []corsRoute{
	{"POST", "/api/v1/auth/login"},
	{"POST", "/api/v1/auth/refresh"},
	{"GET", "/api/v1/me"},
	{"GET", "/api/v1/accounts"},
	{"PUT", "/api/v1/accounts/x/chatwoot"},
	{"GET", "/embed/app/kanban"},
	{"GET", "/embed/conversation"},
	{"GET", "/api/v1/features-extra"},
	{"GET", "/api/v1/instance-tokensX"},
	{"POST", "/api/v1/accounts/x/chat/rooms"},
	{"GET", "/api/v1/accounts/x/chat/rooms/r/messages"},
	{"GET", "/api/v1/accounts/x/chat/search"},
	{"GET", "/api/v1/accounts//chat/unread"},
}

func (f *fixture) preflight(route corsRoute, origin string) *apptest.Resp {
	return f.h.Do(apptest.Req{Method: "OPTIONS", Path: route.path, Header: map[string]string{
		"Origin": origin, "Access-Control-Request-Method": route.method, "Access-Control-Request-Headers": "authorization, content-type",
	}})
}

func TestCORSDecisionsPerRoute(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		f := setup(t, dialect)
		for _, route := range corsRoutes {
			for _, origin := range []string{f.originA, f.originB, extraOrigin} {
				r := f.preflight(route, origin)
				if r.Status != http.StatusNoContent {
					t.Errorf("%s %s from %s: preflight %d", route.method, route.path, origin, r.Status)
				}
				h := r.Header
				if h.Get("Access-Control-Allow-Origin") != origin {
					t.Errorf("%s %s from %s: Allow-Origin %q", route.method, route.path, origin, h.Get("Access-Control-Allow-Origin"))
				}
				if !strings.Contains(h.Get("Access-Control-Allow-Methods"), route.method) {
					t.Errorf("%s %s: Allow-Methods %q", route.method, route.path, h.Get("Access-Control-Allow-Methods"))
				}
				if allow := strings.ToLower(h.Get("Access-Control-Allow-Headers")); !strings.Contains(allow, "authorization") || !strings.Contains(allow, "content-type") {
					t.Errorf("%s %s: Allow-Headers %q", route.method, route.path, allow)
				}
				if h.Get("Access-Control-Max-Age") == "" {
					t.Errorf("%s %s: preflight not cached", route.method, route.path)
				}
				assertCORSHygiene(t, route.path, r)
			}
			for _, origin := range []string{"https://evil.example", "null", "*", strings.ToUpper(f.originA) + ".evil.example", f.originA + "/", ""} {
				r := f.preflight(route, origin)
				if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
					t.Errorf("%s %s from %q: Allow-Origin %q", route.method, route.path, origin, got)
				}
				if r.Header.Get("Access-Control-Allow-Methods") != "" {
					t.Errorf("%s %s from %q: a preflight answered with methods", route.method, route.path, origin)
				}
				assertCORSHygiene(t, route.path, r)
			}
			// The actual request carries the same decision.
			r := f.h.Do(apptest.Req{Method: route.method, Path: route.path, Header: map[string]string{"Origin": f.originA}})
			if r.Header.Get("Access-Control-Allow-Origin") != f.originA {
				t.Errorf("%s %s: the response (status %d) has no Allow-Origin", route.method, route.path, r.Status)
			}
			assertCORSHygiene(t, route.path, r)
			r = f.h.Do(apptest.Req{Method: route.method, Path: route.path, Header: map[string]string{"Origin": "https://evil.example"}})
			if r.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s %s: Allow-Origin for a stranger", route.method, route.path)
			}
		}
		for _, route := range noCORSRoutes {
			r := f.preflight(route, f.originA)
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s %s: Allow-Origin %q on a route Chatwoot pages do not call", route.method, route.path, got)
			}
			r = f.h.Do(apptest.Req{Method: route.method, Path: route.path, Header: map[string]string{"Origin": f.originA}})
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s %s: Allow-Origin %q on a route Chatwoot pages do not call", route.method, route.path, got)
			}
		}

		// Unlinking takes the origin away at once.
		f.h.Do(apptest.Req{Method: "DELETE", Path: "/api/v1/accounts/" + f.b.ID + "/chatwoot", Token: f.b.Admin.Token}).Expect(t, 200)
		if got := f.preflight(corsRoutes[0], f.originB).Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("an unlinked Chatwoot still gets CORS: %q", got)
		}
		if got := frameAncestors(f.get("/embed/conversation?account="+f.b.ID, nil)); slices.Contains(got, f.originB) {
			t.Errorf("an unlinked Chatwoot may still frame the hub: %v", got)
		}
	})
}

func assertCORSHygiene(t *testing.T, path string, r *apptest.Resp) {
	t.Helper()
	if r.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("%s: Access-Control-Allow-Credentials sent", path)
	}
	if r.Header.Get("Access-Control-Allow-Origin") == "*" {
		t.Errorf("%s: Allow-Origin *", path)
	}
	if !slices.Contains(r.Header.Values("Vary"), "Origin") && !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("%s: no Vary: Origin", path)
	}
}

func TestEmbedContext(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		f := setup(t, dialect)
		hubOrigin := strings.TrimSuffix(f.h.URL, "/")

		r := f.get("/embed/context?chatwoot_account_id=1", map[string]string{"Origin": f.originA}).Expect(t, 200)
		body := r.JSON(t)
		if body["linked"] != true || body["account_id"] != f.a.ID || body["hub_origin"] != hubOrigin {
			t.Errorf("linked account: %v", body)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		// The same Chatwoot account id on the other installation is the other hub account.
		if got := f.get("/embed/context?chatwoot_account_id=1", map[string]string{"Origin": f.originB}).Expect(t, 200).JSON(t); got["account_id"] != f.b.ID {
			t.Errorf("installation B: %v", got)
		}
		for name, c := range map[string]struct {
			query, origin string
		}{
			"an account of A that is not linked": {"2", f.originA},
			"an origin with no link":             {"1", "https://evil.example"},
			"no Origin (not a browser page)":     {"1", ""},
		} {
			h := map[string]string{}
			if c.origin != "" {
				h["Origin"] = c.origin
			}
			got := f.get("/embed/context?chatwoot_account_id="+c.query, h).Expect(t, 200).JSON(t)
			if got["linked"] != false || got["account_id"] != nil {
				t.Errorf("%s: %v", name, got)
			}
		}
		for _, bad := range []string{"", "0", "-1", "x", "1.5", "99999999999999999999999"} {
			f.get("/embed/context?chatwoot_account_id="+bad, map[string]string{"Origin": f.originA}).ExpectError(t, 400, "VALIDATION_ERROR")
		}
	})
}
