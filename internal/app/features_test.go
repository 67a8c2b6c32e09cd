package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/httpx"
)

// featureDomains names, for each feature, the route prefixes (under
// /api/v1/accounts/{accountID}) that are that feature's: every route there
// must carry the feature in the route table.
var featureDomains = map[string][]string{
	feature.Kanban:       {"/boards", "/deals", "/kanban"},
	feature.InternalChat: {"/chat/"},
	feature.Gateway:      {"/gateway/", "/providers", "/provider-instances"},
}

// A feature flag that is off blocks its API routes: every route of a
// feature's domain carries the feature in the route table, and with the
// flag off each answers 403 FEATURE_DISABLED to the account's admin (the
// documented error), while the other features' routes still answer.
func TestFeatureOffBlocksItsRoutes(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(
			"WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000")})
		validateAnswers(t, h)
		super := h.LoginSuper()
		ten := h.NewTenant(super, "Acme")
		const prefix = "/api/v1/accounts/{accountID}"

		byFeature := map[string][]httpx.Route{}
		for _, rt := range h.App.Routes() {
			if rt.Feature != "" {
				if !feature.Known(rt.Feature) {
					t.Errorf("%s names the feature %q, which is not in the catalogue", rt.Key(), rt.Feature)
				}
				byFeature[rt.Feature] = append(byFeature[rt.Feature], rt)
			}
			for name, prefixes := range featureDomains {
				for _, p := range prefixes {
					if strings.HasPrefix(rt.Pattern, prefix+p) && rt.Feature != name {
						t.Errorf("%s is a %s route but its feature column is %q", rt.Key(), name, rt.Feature)
					}
				}
			}
		}
		for name := range featureDomains {
			if len(byFeature[name]) == 0 {
				t.Fatalf("no route carries the feature %s", name)
			}
		}

		features := func(set map[string]bool) {
			h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + ten.ID + "/features", Token: super.Token, Body: set}).Expect(t, 200)
		}
		for name, routes := range byFeature {
			features(map[string]bool{name: false})
			for _, rt := range routes {
				q := walkRequest(rt, fill(rt.Pattern, map[string]string{"accountID": ten.ID}), ten.ID, apptest.Bearer(ten.Admin.Token))
				if r := h.Do(q); r.Status != http.StatusForbidden || r.ErrorCode() != httpx.CodeFeatureDisabled {
					t.Errorf("%s off: %s %s = %d %s, want 403 FEATURE_DISABLED", name, q.Method, q.Path, r.Status, r.Body)
				}
			}
			// The other features are untouched: their first route gets past the flag.
			for other, routes := range byFeature {
				if other == name {
					continue
				}
				rt := routes[0]
				q := walkRequest(rt, fill(rt.Pattern, map[string]string{"accountID": ten.ID}), ten.ID, apptest.Bearer(ten.Admin.Token))
				if r := h.Do(q); r.ErrorCode() == httpx.CodeFeatureDisabled {
					t.Errorf("%s off also blocks %s: %s %s", name, other, q.Method, q.Path)
				}
			}
			features(map[string]bool{name: true})
		}
	})
}
