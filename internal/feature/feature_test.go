package feature_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/httpx"
)

// A route of a feature, to see the guard refuse it when the feature is off.
var kanbanProbe = httpx.Route{Method: "GET", Pattern: "/api/v1/accounts/{accountID}/probe-kanban", Auth: httpx.Authenticated,
	AccountFrom: httpx.AccountPath, Feature: "kanban", Permission: "kanban:read",
	Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })}

func TestFeatures(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(), AppOpts: app.Options{ExtraRoutes: []httpx.Route{kanbanProbe}}})
		super := h.LoginSuper()
		ten := h.NewTenant(super, "Acme")
		agent := h.NewMember(ten.Admin.Token, ten.ID, "agent")
		get := func(token string) map[string]any {
			r := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/features?account_id=" + ten.ID, Token: token}).Expect(t, 200).JSON(t)
			if r["account_id"] != ten.ID {
				t.Fatalf("account_id: %v", r)
			}
			return r["features"].(map[string]any)
		}
		adminF, agentF := get(ten.Admin.Token), get(agent.Token)
		for name, want := range map[string]bool{"kanban": true, "internal_chat": true, "gateway": true, "hub_admin": true} {
			if adminF[name] != want {
				t.Errorf("admin %s = %v, want %v", name, adminF[name], want)
			}
		}
		// Features that are not built are not offered, nor accepted.
		for _, gone := range []string{"automations", "analytics"} {
			if _, ok := adminF[gone]; ok {
				t.Errorf("the features answer offers %s", gone)
			}
		}
		if agentF["hub_admin"] != false || agentF["kanban"] != true {
			t.Fatalf("agent features: %v", agentF)
		}
		probe := apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + ten.ID + "/probe-kanban", Token: agent.Token}
		h.Do(probe).Expect(t, 204)

		put := func(token string, body any) *apptest.Resp {
			return h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + ten.ID + "/features", Token: token, Body: body})
		}
		put(ten.Admin.Token, map[string]bool{"kanban": false}).ExpectError(t, 403, "FORBIDDEN")
		put(super.Token, map[string]bool{"warp_drive": true}).ExpectError(t, 400, "VALIDATION_ERROR")
		put(super.Token, map[string]bool{"analytics": true}).ExpectError(t, 400, "VALIDATION_ERROR")
		// A row stored before automations and analytics left the catalogue is ignored.
		if _, err := h.App.DB.W.Exec(`INSERT INTO account_features (account_id, feature, enabled, updated_at) VALUES ($1, 'automations', TRUE, $2)`,
			ten.ID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		put(super.Token, map[string]bool{"kanban": false}).Expect(t, 200)
		if f := get(agent.Token); f["kanban"] != false || f["internal_chat"] != true || f["automations"] != nil {
			t.Fatalf("after override: %v", f)
		}
		h.Do(probe).ExpectError(t, 403, "FEATURE_DISABLED")
		if rows := h.AuditLog(super.Token, ten.ID, url.Values{"action": {"account.features.updated"}}); len(rows) != 1 {
			t.Fatalf("audit rows: %d", len(rows))
		}
		// another tenant's features are a 404
		other := h.NewTenant(super, "Other")
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/features?account_id=" + ten.ID, Token: other.Admin.Token}).ExpectError(t, 404, "NOT_FOUND")
	})
}

func TestFeaturesFailClosed(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{Env: apptest.SuperAdminEnv(), AppOpts: app.Options{ExtraRoutes: []httpx.Route{kanbanProbe}}})
	super := h.LoginSuper()
	ten := h.NewTenant(super, "Acme")
	h.App.Features.Defaults = func(context.Context, string) (map[string]bool, error) { return nil, errors.New("plans unreadable") }
	f := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/features?account_id=" + ten.ID, Token: ten.Admin.Token}).Expect(t, 200).JSON(t)["features"].(map[string]any)
	for name, on := range f {
		if on != false {
			t.Errorf("%s is on although evaluation failed", name)
		}
	}
	h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + ten.ID + "/probe-kanban", Token: ten.Admin.Token}).ExpectError(t, 403, "FEATURE_DISABLED")
	m := string(h.Do(apptest.Req{Method: "GET", Path: "/metrics"}).Expect(t, 200).Body)
	if !strings.Contains(m, "whatpro_feature_evaluation_errors_total 2") {
		t.Fatal("failed evaluations are not counted")
	}
	if !strings.Contains(h.Logs.String(), "feature evaluation failed") {
		t.Fatal("failed evaluations are not logged")
	}
	// Work no person asked for (the gateway's consumers) learns of the
	// failure, so it retries instead of acting on a fail-closed "off".
	if on, err := h.App.Features.AccountEnabled(context.Background(), ten.ID, "gateway"); on || err == nil || !strings.Contains(err.Error(), "plans unreadable") {
		t.Fatalf("AccountEnabled during a failure: %v, %v", on, err)
	}
	h.App.Features.Defaults = nil
	for name, want := range map[string]bool{"gateway": true, "hub_admin": false, "nonsense": false} {
		if on, err := h.App.Features.AccountEnabled(context.Background(), ten.ID, name); on != want || err != nil {
			t.Errorf("AccountEnabled(%s) = %v, %v; want %v", name, on, err, want)
		}
	}
}
