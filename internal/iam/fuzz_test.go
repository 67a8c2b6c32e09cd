package iam_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// FuzzAuthenticateHeader sends arbitrary Authorization and X-API-Key values
// through the real handler (router, guard, stores) to a protected,
// account-scoped route and to /api/v1/me: the answer is always a 2xx or a
// 401/403/404 envelope, never a 500 or a panic. It runs on SQLite and,
// when WHATPRO_TEST_POSTGRES_URL is set, on PostgreSQL too.
func FuzzAuthenticateHeader(f *testing.F) {
	dialects := []string{"sqlite"}
	if os.Getenv("WHATPRO_TEST_POSTGRES_URL") != "" {
		dialects = append(dialects, "postgres")
	}
	type target struct {
		h     *apptest.Hub
		paths []string
	}
	var targets []target
	for i, d := range dialects {
		h := apptest.New(f, d, apptest.Options{Env: apptest.SuperAdminEnv(
			"WHATPRO_RATE_LIMIT_ANON=1000000", "WHATPRO_RATE_LIMIT_AUTH=1000000")})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		k := h.CreateAPIKey(acme.Admin.Token, acme.ID, "fuzz", "users:read")
		targets = append(targets, target{h, []string{"/api/v1/accounts/" + acme.ID + "/users", "/api/v1/me"}})
		if i == 0 { // live credentials make good mutation seeds
			f.Add("Bearer "+acme.Admin.Token, "")
			f.Add("", k.Key)
			f.Add("Bearer "+k.Key, "")
			f.Add("Bearer "+acme.Admin.Refresh, "")
			f.Add("Bearer "+acme.Admin.Token[:len(acme.Admin.Token)-2], "")
			f.Add("", strings.Replace(k.Key, ".", "..", 1))
		}
	}
	allowed := []int{200, 401, 403, 404}
	f.Fuzz(func(t *testing.T, authorization, key string) {
		for _, tg := range targets {
			for _, path := range tg.paths {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				// Set directly: the server-side parser, not the client,
				// decides what reaches the handler.
				if authorization != "" {
					req.Header["Authorization"] = []string{authorization}
				}
				if key != "" {
					req.Header["X-Api-Key"] = []string{key}
				}
				rec := httptest.NewRecorder()
				tg.h.App.Handler().ServeHTTP(rec, req)
				if !slices.Contains(allowed, rec.Code) {
					t.Fatalf("%s %s with Authorization %q X-API-Key %q: %d %s", tg.h.Dialect, path, authorization, key, rec.Code, rec.Body)
				}
				if rec.Code >= 400 {
					var env struct {
						Error struct{ Code string } `json:"error"`
					}
					if json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Error.Code == "" {
						t.Fatalf("%s %s: %d without an error envelope: %s", tg.h.Dialect, path, rec.Code, rec.Body)
					}
				}
			}
		}
	})
}
