package app

import (
	"net/http"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/ops"
)

// handlers groups every domain's handler so the route table can name them.
type handlers struct {
	ops *ops.Handler
}

// routes is the hub's route table: every route, readable top to bottom,
// with what it requires. Tests enumerate it (the cross-tenant walk).
func (a *App) routes(h handlers) []httpx.Route {
	pub := func(method, pattern string, fn http.HandlerFunc) httpx.Route {
		return httpx.Route{Method: method, Pattern: pattern, Handler: fn, Auth: httpx.Public}
	}
	return []httpx.Route{
		pub("GET", "/healthz", h.ops.Healthz),
		pub("GET", "/readyz", h.ops.Readyz),
		{Method: "GET", Pattern: "/metrics", Handler: h.ops.Metrics(), Auth: httpx.Public},
		pub("GET", "/api/v1/version", h.ops.Version),
	}
}

// Routes exposes the table to tests.
func (a *App) Routes() []httpx.Route { return a.table }
