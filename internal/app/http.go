package app

import (
	"net/http"
	"strings"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/embed"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/ops"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/usage"
	"github.com/whatpro/hub/web"
)

func (a *App) buildHTTP(extra []httpx.Route) error {
	cfg := a.Cfg
	opsH := &ops.Handler{
		DB: a.DB, Gatherer: a.Registry,
		MetricsOnMain: !cfg.Production(), MetricsToken: cfg.MetricsToken,
	}
	spa := httpx.SPA(web.Dist(), cfg.BasePath())
	embedH := &embed.Handler{DB: a.DB, Origins: a.Origins, HubURL: strings.TrimSuffix(cfg.PublicURL.String(), "/"),
		HubOrigin: a.Chatwoot.HubOrigin(), LinkByInstallation: a.Chatwoot.AccountForInstallation}
	embedH.Page, _ = httpx.ReadPage(web.Dist(), cfg.BasePath(), "embed.html")
	h := handlers{
		ops: opsH, iam: a.IAM, audit: &audit.Handler{Log: a.Audit}, chatwoot: a.Chatwoot, embed: embedH,
		features: &feature.Handler{Flags: a.Features, IAM: a.IAM},
		platform: &chatwoot.PlatformEvents{Svc: a.Chatwoot, Secrets: splitSecrets(a.Cfg.PlatformEventsSecret), Intake: a.Intake},
		intake: &intake.Handler{DB: a.DB, Store: a.Intake, Consumers: a.Dispatcher,
			Secrets: intakeSecrets{a.Chatwoot, a.Managed}, Now: a.IAM.Now, MaxBody: cfg.MaxBodyBytes, IAM: a.IAM,
			Refusals: &intake.Refusals{},
			// An inbox callback is ordered within its conversation only.
			OrderKeys: map[string]func(string, map[string]any) string{intake.SourceChatwootInbox: chatwoot.CallbackOrderKey}},
		plans:    &plan.Handler{Catalog: a.Plans, IAM: a.IAM},
		usage:    &usage.Handler{DB: a.DB},
		inbox:    &inbox.Handler{S: a.Inboxes},
		provider: a.Provider,
		realtime: a.Realtime,
		kanban:   a.Kanban,
		chat:     a.Chat,
		privacy:  a.Privacy,
		jobs: &ops.Jobs{DB: a.DB, Queue: a.Jobs, Audit: a.Audit,
			Entry: func(r *http.Request, action, resType, resID string) audit.Entry {
				return a.IAM.Entry(r, "", action, resType, resID)
			}},
		gateway: a.Gateway,
		alerts:  a.Alerts,
	}
	a.table = append(a.routes(h), extra...)
	router, err := httpx.NewRouter(a.table, a.wrapRoute, spa)
	if err != nil {
		return err
	}
	m := httpx.NewMetrics(a.Registry)
	chain := httpx.Chain(router,
		httpx.RequestIDs(a.Log),
		httpx.Recover,
		httpx.Observe(m),
		// Same-origin mode (mounted under a path of Chatwoot's domain): the
		// proxy in front owns HSTS.
		httpx.SecurityHeaders(cfg.PublicURL.Scheme == "https" && cfg.BasePath() == ""),
		a.Origins.CORS,
		httpx.LimitBodyBy(httpx.BodyLimits(a.table, cfg.MaxBodyBytes)),
	)
	a.handler = mount(cfg.BasePath(), chain)
	a.metrics = opsH.MetricsOnly()
	return nil
}

// wrapRoute applies a route's own requirements around its handler.
func (a *App) wrapRoute(rt httpx.Route) http.Handler {
	return a.IAM.Guard(rt)
}

// mount serves h under base ("" = root), answering 404 outside it.
func mount(base string, h http.Handler) http.Handler {
	if base == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == base {
			http.Redirect(w, r, base+"/", http.StatusMovedPermanently)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, base)
		if !ok || !strings.HasPrefix(rest, "/") {
			httpx.WriteError(w, r, httpx.E(httpx.CodeNotFound, "not found"))
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		r2.URL.RawPath = ""
		h.ServeHTTP(w, r2)
	})
}

func splitSecrets(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// intakeSecrets joins the two owners of webhook secrets: Chatwoot links
// (account webhooks) and hub-managed inboxes (API-inbox callbacks).
type intakeSecrets struct {
	*chatwoot.Service
	*inbox.Managed
}
