package iam_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Same-site pages cannot drive sessions: a body without a JSON content type is refused (a
// no-cors fetch or a form sends one), and the session routes refuse a browser request that
// another origin made, whether Origin or Sec-Fetch-Site says so. Scripts send neither header and
// are judged by their credentials.
func TestSameSitePagesCannotDriveSessions(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		hub := strings.TrimSuffix(h.URL, "/")
		creds := `{"email":"` + apptest.SuperEmail + `","password":"` + apptest.SuperPassword + `"}`
		raw := func(ct string, hdr map[string]string) map[string]string {
			out := map[string]string{"Content-Type": ct}
			for k, v := range hdr {
				out[k] = v
			}
			return out
		}
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "login as text/plain (no-cors fetch)", Method: "POST", Path: "/api/v1/auth/login", Body: creds,
				Header: raw("text/plain;charset=UTF-8", nil), Status: 415, Code: "UNSUPPORTED_MEDIA_TYPE", Lacks: []string{"access_token"}},
			{Name: "login as a form", Method: "POST", Path: "/api/v1/auth/login", Body: creds,
				Header: raw("application/x-www-form-urlencoded", nil), Status: 415, Code: "UNSUPPORTED_MEDIA_TYPE"},
			{Name: "login from a same-site page", Method: "POST", Path: "/api/v1/auth/login", Body: creds,
				Header: raw("application/json", map[string]string{"Origin": "https://evil.hub.test", "Sec-Fetch-Site": "same-site"}), Status: 403, Code: "FORBIDDEN"},
			{Name: "login with a same-site fetch that hides its Origin", Method: "POST", Path: "/api/v1/auth/login", Body: creds,
				Header: raw("application/json", map[string]string{"Sec-Fetch-Site": "same-site"}), Status: 403, Code: "FORBIDDEN"},
			{Name: "login from another site", Method: "POST", Path: "/api/v1/auth/login", Body: creds,
				Header: raw("application/json", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}), Status: 403, Code: "FORBIDDEN"},
			{Name: "login from the console", Method: "POST", Path: "/api/v1/auth/login", Body: creds,
				Header: raw("application/json", map[string]string{"Origin": hub, "Sec-Fetch-Site": "same-origin"}), Status: 200},
			{Name: "login from a script", Method: "POST", Path: "/api/v1/auth/login", Body: creds, Header: raw("application/json", nil), Status: 200},
		})

		s := h.LoginSuper()
		cookie := map[string]string{"Cookie": apptest.RefreshCookie + "=" + s.Refresh}
		with := func(extra map[string]string) map[string]string {
			out := map[string]string{}
			for k, v := range cookie {
				out[k] = v
			}
			for k, v := range extra {
				out[k] = v
			}
			return out
		}
		// Two refreshes fired by a same-site page would end the session (the second is a reuse):
		// both are refused without touching the token.
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "refresh from a same-site page", Method: "POST", Path: "/api/v1/auth/refresh", Header: with(map[string]string{"Sec-Fetch-Site": "same-site"}), Status: 403, Code: "FORBIDDEN"},
			{Name: "again", Method: "POST", Path: "/api/v1/auth/refresh", Header: with(map[string]string{"Origin": "https://evil.hub.test"}), Status: 403, Code: "FORBIDDEN"},
			{Name: "logout from another site", Method: "POST", Path: "/api/v1/auth/logout",
				Header: map[string]string{"Authorization": "Bearer " + s.Token, "Sec-Fetch-Site": "cross-site"}, Status: 403, Code: "FORBIDDEN"},
		})
		h.Refresh(s).Expect(t, 200)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/logout", Token: s.Token, Header: map[string]string{"Origin": hub, "Sec-Fetch-Site": "same-origin"}}).Expect(t, 204)
	})
}

// Every JSON endpoint wants its content type, not only the session routes.
func TestJSONEndpointsRequireTheirContentType(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		s := h.LoginSuper()
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "no content type", Method: "POST", Path: "/api/v1/accounts", Body: `{"name":"X"}`,
				Header: map[string]string{"Authorization": "Bearer " + s.Token, "Content-Type": ""}, Status: 415, Code: "UNSUPPORTED_MEDIA_TYPE"},
			{Name: "json", Method: "POST", Path: "/api/v1/accounts", Body: `{"name":"X"}`, Header: apptest.Bearer(s.Token), Status: 201},
			{Name: "problem+json suffix", Method: "POST", Path: "/api/v1/accounts", Body: `{"name":"Y"}`,
				Header: map[string]string{"Authorization": "Bearer " + s.Token, "Content-Type": "application/merge-patch+json"}, Status: 201},
		})
	})
}
