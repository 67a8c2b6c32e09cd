package embed_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A tenant's extra origins go into frame-ancestors and CORS answers: each is parsed and written
// back as scheme://host[:port], and anything that could widen or break the policy is refused.
func TestExtraOriginsCannotWriteThePolicy(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		f := setup(t, dialect)
		put := func(extra ...string) *apptest.Resp {
			return f.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + f.a.ID + "/chatwoot", Token: f.a.Admin.Token,
				Body: map[string]any{"base_url": f.originA, "chatwoot_account_id": 1, "api_access_token": adminToken(f.seedA, 1), "extra_origins": extra}})
		}
		for _, bad := range []string{"https://*", "https://*.example.com", "*", "https://a.example;sandbox", "https://a.example; script-src *",
			"https://a.example, https://b.example", "https://a.example'", "'unsafe-inline'", "https://a.example/path", "https://u@a.example",
			"javascript:alert(1)", "https://a.example?x", "https:// a.example"} {
			r := put(bad)
			r.ExpectError(t, http.StatusBadRequest, "VALIDATION_ERROR")
			if !strings.Contains(string(r.Body), `"field":"extra_origins"`) {
				t.Errorf("%q: %s", bad, r.Body)
			}
		}
		put("HTTPS://Extra-A.Example:443/", "https://extra-a.example", "http://Other.Example:8080").Expect(t, 200)
		var link struct {
			AllowedOrigins []string `json:"allowed_origins"`
		}
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.a.ID + "/chatwoot", Token: f.a.Admin.Token}).Expect(t, 200).Decode(t, &link)
		if want := []string{f.originA, "https://extra-a.example", "http://other.example:8080"}; !slices.Equal(link.AllowedOrigins, want) {
			t.Errorf("allowed origins %v, want %v", link.AllowedOrigins, want)
		}
		got := frameAncestors(f.get("/embed/app/kanban?account="+f.a.ID, nil))
		if !sameSet(got, []string{f.originA, "https://extra-a.example", "http://other.example:8080", extraOrigin, devConsoleOrigin}) {
			t.Errorf("frame-ancestors %v", got)
		}
		// B's page names none of A's origins.
		if got := frameAncestors(f.get("/embed/app/kanban?account="+f.b.ID, nil)); slices.Contains(got, "https://extra-a.example") || slices.Contains(got, f.originA) {
			t.Errorf("B's page names A's origins: %v", got)
		}
	})
}

// The Dashboard App the hub installs names its account, so the tab's page frames for that
// account's origins only; a tab installed before (bare URL) is replaced.
func TestInstalledDashboardAppNamesItsAccount(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		f := setup(t, dialect)
		token := adminToken(f.seedA, 1)
		apps := func() []string {
			req, _ := http.NewRequest("GET", f.originA+"/api/v1/accounts/1/dashboard_apps", nil)
			req.Header.Set("api_access_token", token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var list []struct {
				Content []struct {
					URL string `json:"url"`
				} `json:"content"`
			}
			if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
				t.Fatal(err)
			}
			var urls []string
			for _, a := range list {
				for _, c := range a.Content {
					urls = append(urls, c.URL)
				}
			}
			return urls
		}
		// An old installation's tab, with the account-less URL.
		req, _ := http.NewRequest("POST", f.originA+"/api/v1/accounts/1/dashboard_apps",
			strings.NewReader(`{"title":"WhatPro Hub","content":[{"type":"frame","url":"`+f.h.URL+`/embed/conversation"}]}`))
		req.Header.Set("api_access_token", token)
		req.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
			t.Fatalf("seed an old tab: %v %v", res, err)
		}
		f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + f.a.ID + "/chatwoot/install", Token: f.a.Admin.Token}).Expect(t, 200)
		want := f.h.URL + "/embed/conversation?account=" + f.a.ID
		if got := apps(); !slices.Equal(got, []string{want}) {
			t.Errorf("dashboard apps %v, want exactly %v", got, want)
		}
		var cfg struct {
			EmbedURLs map[string]string `json:"embed_urls"`
		}
		f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/platform-app/config?account_id=" + f.a.ID, Token: f.a.Admin.Token}).Expect(t, 200).Decode(t, &cfg)
		if cfg.EmbedURLs["conversation_tab"] != want {
			t.Errorf("platform config names the tab %q, want %q", cfg.EmbedURLs["conversation_tab"], want)
		}
	})
}

// A credential is accepted from an origin only when the origin is its own account's (or the
// hub's): a page of tenant B's Chatwoot cannot use a token or key of tenant A, and a console
// session is used from the console only. Scripts (no Origin) are judged by the credential.
func TestCredentialsAreBoundToTheirAccountsOrigins(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		f := setup(t, dialect)
		key := f.h.CreateAPIKey(f.a.Admin.Token, f.a.ID, "k", "account:read")
		var tok struct {
			Token string `json:"token"`
		}
		f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/instance-tokens", Token: f.a.Admin.Token,
			Body: map[string]any{"account_id": f.a.ID, "scopes": []string{"account:read"}}}).Expect(t, 201).Decode(t, &tok)
		hub := strings.TrimSuffix(f.h.URL, "/")
		acct := "/api/v1/accounts/" + f.a.ID
		origin := func(o string, h map[string]string) map[string]string {
			if o != "" {
				h["Origin"] = o
			}
			return h
		}
		rows := []apptest.Scenario{}
		for _, c := range []struct {
			name   string
			header func() map[string]string
		}{
			{"API key", func() map[string]string { return apptest.KeyHeader(key.Key) }},
			{"instance token", func() map[string]string { return apptest.Bearer(tok.Token) }},
		} {
			rows = append(rows,
				apptest.Scenario{Name: c.name + " without Origin", Method: "GET", Path: acct, Header: c.header(), Status: 200},
				apptest.Scenario{Name: c.name + " from the hub", Method: "GET", Path: acct, Header: origin(hub, c.header()), Status: 200},
				apptest.Scenario{Name: c.name + " from its account's Chatwoot", Method: "GET", Path: acct, Header: origin(f.originA, c.header()), Status: 200},
				apptest.Scenario{Name: c.name + " from a configured origin", Method: "GET", Path: acct, Header: origin(extraOrigin, c.header()), Status: 200},
				apptest.Scenario{Name: c.name + " from another tenant's Chatwoot", Method: "GET", Path: acct, Header: origin(f.originB, c.header()), Status: 401, Code: "TOKEN_INVALID"},
				apptest.Scenario{Name: c.name + " from a stranger", Method: "GET", Path: acct, Header: origin("https://evil.example", c.header()), Status: 401, Code: "TOKEN_INVALID"},
			)
		}
		rows = append(rows,
			apptest.Scenario{Name: "session from the console", Method: "GET", Path: "/api/v1/me", Header: origin(hub, apptest.Bearer(f.a.Admin.Token)), Status: 200},
			apptest.Scenario{Name: "session without Origin", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(f.a.Admin.Token), Status: 200},
			apptest.Scenario{Name: "session from its account's Chatwoot", Method: "GET", Path: "/api/v1/me", Header: origin(f.originA, apptest.Bearer(f.a.Admin.Token)), Status: 401, Code: "TOKEN_INVALID"},
		)
		apptest.Run(t, f.h, rows)
	})
}
