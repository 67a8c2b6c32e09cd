package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// TestAnswersMatchTheContract walks the API the way the console does, on
// both databases, and validates every answer (successes and errors)
// against the OpenAPI document.
func TestAnswersMatchTheContract(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dialect string) {
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000")})
		seen := validateAnswers(t, h)
		super := h.LoginSuper()
		tn := h.NewTenant(super, "Contract")
		A := "/api/v1/accounts/" + tn.ID
		adm, root := tn.Admin.Token, super.Token
		do := func(method, path, token string, body any, status int) map[string]any {
			t.Helper()
			r := h.Do(apptest.Req{Method: method, Path: path, Token: token, Body: body}).Expect(t, status)
			if len(r.Body) == 0 || r.Body[0] != '{' {
				return nil
			}
			return r.JSON(t)
		}
		id := func(m map[string]any) string { return fmt.Sprint(m["id"]) }

		// Operations, identity, accounts
		do("GET", "/healthz", "", nil, 200)
		do("GET", "/readyz", "", nil, 200)
		do("GET", "/api/v1/version", "", nil, 200)
		do("GET", "/api/v1/me", adm, nil, 200)
		do("GET", "/api/v1/sessions", adm, nil, 200)
		do("GET", "/api/v1/accounts", root, nil, 200)
		do("GET", A, adm, nil, 200)
		do("PATCH", A, adm, map[string]any{"name": "Contract Renamed"}, 200)
		do("POST", "/api/v1/me/totp/setup", adm, nil, 200)
		do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "nobody@example.com"}, 503)
		user := h.AddUser(adm, tn.ID, apptest.UniqueEmail("contract"), "agent")
		do("GET", A+"/users", adm, nil, 200)
		do("PATCH", A+"/users/"+user.ID, adm, map[string]any{"role": "supervisor"}, 200)
		do("POST", A+"/api-keys", adm, map[string]any{"name": "ci", "scopes": []string{"users:read"}}, 201)
		do("GET", A+"/api-keys", adm, nil, 200)
		do("GET", A+"/audit-logs", adm, nil, 200)
		do("GET", "/api/v1/features?account_id="+tn.ID, adm, nil, 200)
		do("PUT", A+"/features", root, map[string]any{"kanban": true, "internal_chat": true}, 200)
		do("GET", A+"/entitlements", adm, nil, 200)
		do("GET", A+"/usage", adm, nil, 200)
		do("GET", "/api/v1/usage", root, nil, 200)
		do("GET", "/api/v1/plans", root, nil, 200)
		do("GET", A+"/inboxes", adm, nil, 200)
		do("GET", A+"/chatwoot", adm, nil, 200)
		do("GET", A+"/webhook-events", adm, nil, 200)
		do("GET", A+"/providers", adm, nil, 200)
		do("GET", A+"/provider-instances", adm, nil, 200)
		do("GET", "/api/v1/platform-app/config?account_id="+tn.ID, adm, nil, 200)
		do("POST", "/api/v1/realtime/tickets", adm, map[string]any{"account_id": tn.ID}, 201)
		tok := do("POST", "/api/v1/instance-tokens", adm, map[string]any{"account_id": tn.ID, "scopes": []string{"kanban:read"}}, 201)
		do("GET", "/api/v1/instance-tokens/validate", fmt.Sprint(tok["token"]), nil, 200)
		do("GET", "/embed/context?chatwoot_account_id=1", "", nil, 200)

		// Kanban
		b := do("POST", A+"/boards", adm, map[string]any{"name": "Sales"}, 201)
		B := A + "/boards/" + id(b)
		do("GET", A+"/boards", adm, nil, 200)
		board := do("GET", B, adm, nil, 200)
		stages := board["stages"].([]any)
		first, second := id(stages[0].(map[string]any)), id(stages[1].(map[string]any))
		st := do("POST", B+"/stages", adm, map[string]any{"name": "Extra"}, 201)
		do("PATCH", B+"/stages/"+id(st), adm, map[string]any{"name": "Extra 2"}, 200)
		c := do("POST", B+"/cards", adm, map[string]any{"title": "Deal", "stage_id": first, "value_cents": 12345}, 201)
		C := B + "/cards/" + id(c)
		do("GET", B+"/cards", adm, nil, 200)
		do("GET", B+"/cards?stage_id="+first, adm, nil, 200)
		do("GET", C, adm, nil, 200)
		c = do("PATCH", C, adm, map[string]any{"title": "Deal 2", "version": c["version"]}, 200)
		c = do("POST", C+"/move", adm, map[string]any{"stage_id": second, "version": c["version"]}, 200)
		n := do("POST", C+"/notes", adm, map[string]any{"body": "a note"}, 201)
		do("PATCH", C+"/notes/"+id(n), adm, map[string]any{"body": "an edited note"}, 200)
		do("GET", C+"/notes", adm, nil, 200)
		do("GET", C+"/history", adm, nil, 200)
		do("POST", B+"/cards/bulk-move", adm, map[string]any{"card_ids": []string{id(c)}, "stage_id": first}, 200)
		c = do("GET", C, adm, nil, 200)
		do("POST", C+"/won", adm, map[string]any{"version": c["version"]}, 200)
		do("GET", A+"/deals?contact_id=7", adm, nil, 200)
		do("GET", A+"/kanban/members", adm, nil, 200)
		h.Do(apptest.Req{Method: "GET", Path: B + "/export.csv", Token: adm}).Expect(t, 200)
		do("DELETE", C+"/notes/"+id(n), adm, nil, 204)

		// Chat
		rm := do("POST", A+"/chat/rooms", adm, map[string]any{"type": "public", "name": "general-" + tn.ID[len(tn.ID)-6:]}, 201)
		R := A + "/chat/rooms/" + id(rm)
		do("GET", A+"/chat/rooms", adm, nil, 200)
		do("GET", R, adm, nil, 200)
		do("PATCH", R, adm, map[string]any{"topic": "everything"}, 200)
		do("POST", R+"/members", adm, map[string]any{"user_ids": []string{user.ID}}, 200)
		do("GET", R+"/members", adm, nil, 200)
		m := do("POST", R+"/messages", adm, map[string]any{"content": "hello @team"}, 201)
		M := R + "/messages/" + id(m)
		do("GET", R+"/messages", adm, nil, 200)
		do("GET", M, adm, nil, 200)
		do("PATCH", M, adm, map[string]any{"content": "hello, team"}, 200)
		do("GET", M+"/history", adm, nil, 200)
		do("POST", M+"/reactions", adm, map[string]any{"emoji": "👍"}, 200)
		do("DELETE", M+"/reactions/"+url.PathEscape("👍"), adm, nil, 200)
		do("POST", M+"/pin", adm, nil, 200)
		do("GET", R+"/pins", adm, nil, 200)
		do("DELETE", M+"/pin", adm, nil, 200)
		do("POST", R+"/read", adm, map[string]any{}, 200)
		do("PATCH", R+"/settings", adm, map[string]any{"muted": true}, 200)
		do("GET", A+"/chat/unread", adm, nil, 200)
		do("GET", A+"/chat/search?q=team", adm, nil, 200)
		do("GET", A+"/chat/presence", adm, nil, 200)
		do("GET", A+"/chat/settings", adm, nil, 200)
		do("PUT", A+"/chat/settings", adm, map[string]any{"retention_days": 90}, 200)
		do("DELETE", M, adm, nil, 204)

		// Errors answer the envelope the document names
		h.Do(apptest.Req{Method: "GET", Path: A + "/users"}).Expect(t, 401)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + user.ID, Token: adm}).Expect(t, 404)
		h.Do(apptest.Req{Method: "POST", Path: A + "/boards", Token: adm, Body: map[string]any{"nope": 1}}).Expect(t, 400)
		h.Do(apptest.Req{Method: "PUT", Path: A + "/features", Token: adm, Body: map[string]any{}}).Expect(t, 403)

		if len(seen) < 75 {
			t.Errorf("only %d calls validated", len(seen))
		}
	})
}

// TestContractCatchesAMismatch proves the validation can fail: a board
// whose id is a number, or without its stages' required fields, is not
// what the document promises.
func TestContractCatchesAMismatch(t *testing.T) {
	h := apptest.New(t, "sqlite", apptest.Options{NoServer: true})
	v := contract(t, h.App)
	path := "/api/v1/accounts/0193b4f0-0000-7000-8000-000000000000/boards/0193b4f0-0000-7000-8000-000000000001"
	for name, body := range map[string]string{
		"id is a number":    `{"id":5,"name":"x","description":"","is_default":false,"currency":"BRL","visibility":"all","visible_user_ids":[],"entry_rule":{"all_inboxes":true,"inbox_ids":[]},"stage_attribute":"","custom_fields":[],"version":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`,
		"fields are absent": `{"id":"b"}`,
	} {
		req, err := http.NewRequest("GET", strings.TrimSuffix(h.App.Cfg.PublicURL.String(), "/")+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: req}
		if ok, _ := v.ValidateHttpResponse(req, res); ok {
			t.Errorf("%s: a wrong board validated", name)
		}
	}
}
