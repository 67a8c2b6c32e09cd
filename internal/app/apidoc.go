package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/whatpro/hub/internal/alerts"
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/chat"
	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/embed"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/gateway"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/kanban"
	"github.com/whatpro/hub/internal/ops"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/privacy"
	"github.com/whatpro/hub/internal/provider"
	"github.com/whatpro/hub/internal/realtime"
	"github.com/whatpro/hub/internal/usage"
	"github.com/whatpro/hub/internal/version"
)

// apiDocs are the domains' descriptions of their routes: a package that
// adds routes adds its APIDocs here (the contract test names any route
// without one).
var apiDocs = []func() apidoc.Ops{
	ops.APIDocs, iam.APIDocs, audit.APIDocs, chatwoot.APIDocs, feature.APIDocs, intake.APIDocs,
	plan.APIDocs, usage.APIDocs, inbox.APIDocs, provider.APIDocs, realtime.APIDocs, kanban.APIDocs,
	chat.APIDocs, embed.APIDocs, privacy.APIDocs, gateway.APIDocs, alerts.APIDocs,
}

// APIOps joins the domains' route descriptions.
func APIOps() (apidoc.Ops, error) {
	sets := make([]apidoc.Ops, 0, len(apiDocs))
	for _, f := range apiDocs {
		sets = append(sets, f())
	}
	return apidoc.Merge(sets...)
}

// APIDocument is the OpenAPI document of the hub's route table.
func (a *App) APIDocument() (map[string]any, error) {
	o, err := APIOps()
	if err != nil {
		return nil, err
	}
	return apidoc.Build(a.table, o, version.Get().Version, strings.TrimSuffix(a.Cfg.PublicURL.String(), "/")), nil
}

// openAPIHandler serves the document, built once on first request.
func (a *App) openAPIHandler() http.Handler {
	var once sync.Once
	var body []byte
	var err error
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			var doc map[string]any
			if doc, err = a.APIDocument(); err == nil {
				body, err = json.Marshal(doc)
			}
		})
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}
