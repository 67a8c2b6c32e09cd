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
		admin := apptest.Bearer(acme.Admin.Token)
		base := "/api/v1/accounts/" + acme.ID
		badCursor := base64.RawURLEncoding.EncodeToString([]byte("\xff\x00"))
		ua := func(v string) map[string]string {
			return map[string]string{"User-Agent": v, "Authorization": "Bearer " + acme.Admin.Token}
		}
		rows := []apptest.Scenario{
			{Name: "API key with other bytes", Method: "GET", Path: "/api/v1/me", Header: apptest.KeyHeader("wp_live_\xff\xfe.abc"), Status: 401, Code: "TOKEN_INVALID"},
			{Name: "account id NUL", Method: "GET", Path: "/api/v1/accounts/%00", Header: admin, Status: 404, Code: "NOT_FOUND"},
			{Name: "account id invalid UTF-8", Method: "GET", Path: "/api/v1/accounts/%ff", Header: admin, Status: 404, Code: "NOT_FOUND"},
			{Name: "user id invalid UTF-8", Method: "PATCH", Path: base + "/users/%ff", Header: admin, Body: `{}`, Status: 404, Code: "NOT_FOUND"},
			{Name: "user id NUL", Method: "DELETE", Path: base + "/users/a%00b", Header: admin, Status: 404, Code: "NOT_FOUND"},
			{Name: "key id invalid UTF-8", Method: "DELETE", Path: base + "/api-keys/%c3%28", Header: admin, Status: 404, Code: "NOT_FOUND"},
			{Name: "session id invalid UTF-8", Method: "DELETE", Path: "/api/v1/sessions/%ff", Header: admin, Status: 404, Code: "NOT_FOUND"},
			{Name: "invitation id invalid UTF-8", Method: "POST", Path: "/api/v1/me/invitations/%ff/accept", Header: admin, Status: 404, Code: "NOT_FOUND"},
			{Name: "cursor of other bytes: users", Method: "GET", Path: base + "/users?cursor=" + badCursor, Header: admin, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "cursor of other bytes: keys", Method: "GET", Path: base + "/api-keys?cursor=" + badCursor, Header: admin, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "cursor of other bytes: accounts", Method: "GET", Path: "/api/v1/accounts?cursor=" + badCursor, Header: admin, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "audit filter NUL", Method: "GET", Path: base + "/audit-logs?actor_id=%00", Header: admin, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "audit filter invalid UTF-8", Method: "GET", Path: base + "/audit-logs?action=auth%ff", Header: admin, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "login email NUL", Method: "POST", Path: "/api/v1/auth/login", Body: `{"email":"a\u0000@b.co","password":"x"}`, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "account name NUL", Method: "PATCH", Path: base, Header: admin, Body: `{"name":"a\u0000b"}`, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "new account name NUL", Method: "POST", Path: "/api/v1/accounts", Header: apptest.Bearer(super.Token), Body: `{"name":"a\u0000b"}`, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "key name NUL", Method: "POST", Path: base + "/api-keys", Header: admin, Body: `{"name":"a\u0000b","scopes":["users:read"]}`, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "user agent of other bytes on login", Method: "POST", Path: "/api/v1/auth/login", Header: map[string]string{"User-Agent": "curl/\xff"},
				Body: login(acme.Admin.Email, apptest.Password), Status: 200},
			{Name: "user agent cut inside a character", Method: "PATCH", Path: base, Header: ua(strings.Repeat("a", 299) + "é"),
				Body: map[string]string{"name": "Acme"}, Status: 200},
		}
		apptest.Run(t, h, rows)
		if strings.Contains(h.Logs.String(), `"status":500`) {
			t.Error("the hub answered 500 to something")
		}
	})
}
