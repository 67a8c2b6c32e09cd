package iam_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Bytes a database refuses (NUL, invalid UTF-8 on PostgreSQL) in any input
// an outsider controls are a 4xx, never a 500.
func TestHostileInputIsNever500(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		super := h.LoginSuper()
		acme := h.NewTenant(super, "Acme")
		admin := bearer(acme.Admin.Token)
		base := "/api/v1/accounts/" + acme.ID
		badCursor := base64.RawURLEncoding.EncodeToString([]byte("\xff\x00"))
		ua := func(v string) map[string]string {
			return map[string]string{"User-Agent": v, "Authorization": "Bearer " + acme.Admin.Token}
		}
		rows := []scenario{
			{name: "API key with other bytes", method: "GET", path: "/api/v1/me", header: apiKey("wp_live_\xff\xfe.abc"), status: 401, code: "TOKEN_INVALID"},
			{name: "account id NUL", method: "GET", path: "/api/v1/accounts/%00", header: admin, status: 404, code: "NOT_FOUND"},
			{name: "account id invalid UTF-8", method: "GET", path: "/api/v1/accounts/%ff", header: admin, status: 404, code: "NOT_FOUND"},
			{name: "user id invalid UTF-8", method: "PATCH", path: base + "/users/%ff", header: admin, body: `{}`, status: 404, code: "NOT_FOUND"},
			{name: "user id NUL", method: "DELETE", path: base + "/users/a%00b", header: admin, status: 404, code: "NOT_FOUND"},
			{name: "key id invalid UTF-8", method: "DELETE", path: base + "/api-keys/%c3%28", header: admin, status: 404, code: "NOT_FOUND"},
			{name: "session id invalid UTF-8", method: "DELETE", path: "/api/v1/sessions/%ff", header: admin, status: 404, code: "NOT_FOUND"},
			{name: "invitation id invalid UTF-8", method: "POST", path: "/api/v1/me/invitations/%ff/accept", header: admin, status: 404, code: "NOT_FOUND"},
			{name: "cursor of other bytes: users", method: "GET", path: base + "/users?cursor=" + badCursor, header: admin, status: 400, code: "VALIDATION_ERROR"},
			{name: "cursor of other bytes: keys", method: "GET", path: base + "/api-keys?cursor=" + badCursor, header: admin, status: 400, code: "VALIDATION_ERROR"},
			{name: "cursor of other bytes: accounts", method: "GET", path: "/api/v1/accounts?cursor=" + badCursor, header: admin, status: 400, code: "VALIDATION_ERROR"},
			{name: "audit filter NUL", method: "GET", path: base + "/audit-logs?actor_id=%00", header: admin, status: 400, code: "VALIDATION_ERROR"},
			{name: "audit filter invalid UTF-8", method: "GET", path: base + "/audit-logs?action=auth%ff", header: admin, status: 400, code: "VALIDATION_ERROR"},
			{name: "login email NUL", method: "POST", path: "/api/v1/auth/login", body: `{"email":"a\u0000@b.co","password":"x"}`, status: 400, code: "VALIDATION_ERROR"},
			{name: "account name NUL", method: "PATCH", path: base, header: admin, body: `{"name":"a\u0000b"}`, status: 400, code: "VALIDATION_ERROR"},
			{name: "new account name NUL", method: "POST", path: "/api/v1/accounts", header: bearer(super.Token), body: `{"name":"a\u0000b"}`, status: 400, code: "VALIDATION_ERROR"},
			{name: "key name NUL", method: "POST", path: base + "/api-keys", header: admin, body: `{"name":"a\u0000b","scopes":["users:read"]}`, status: 400, code: "VALIDATION_ERROR"},
			{name: "user agent of other bytes on login", method: "POST", path: "/api/v1/auth/login", header: map[string]string{"User-Agent": "curl/\xff"},
				body: login(acme.Admin.Email, apptest.Password), status: 200},
			{name: "user agent cut inside a character", method: "PATCH", path: base, header: ua(strings.Repeat("a", 299) + "é"),
				body: map[string]string{"name": "Acme"}, status: 200},
		}
		run(t, h, rows)
		if strings.Contains(h.Logs.String(), `"status":500`) {
			t.Error("the hub answered 500 to something")
		}
	})
}
