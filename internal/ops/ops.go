// Package ops owns the operational endpoints: liveness, readiness, version
// and Prometheus metrics.
package ops

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/jobs"
	"github.com/whatpro/hub/internal/version"
)

// Handler serves the operational endpoints.
type Handler struct {
	DB       *db.DB
	Gatherer prometheus.Gatherer
	// MetricsOnMain says whether /metrics answers on the main listener;
	// MetricsToken, when set, is required there as a bearer token.
	MetricsOnMain bool
	MetricsToken  string
}

// Healthz answers while the process is up.
func (h *Handler) Healthz(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Version describes the running binary.
func (h *Handler) Version(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, version.Get())
}

// Readyz answers 200 when the database answers and both the hub's and
// River's schemas are current, 503 with the failing check otherwise.
func (h *Handler) Readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "migrations": "ok", "jobs": "ok"}
	ok := true
	fail := func(name string, err error) {
		checks[name] = "error: " + err.Error()
		ok = false
	}
	if err := h.DB.Ping(ctx); err != nil {
		fail("database", err)
		checks["migrations"], checks["jobs"] = "unknown", "unknown"
	} else {
		if err := h.DB.CheckSchema(ctx); err != nil {
			fail("migrations", err)
		}
		if st, err := jobs.Status(ctx, h.DB); err != nil {
			fail("jobs", err)
		} else if len(st.Pending) > 0 {
			checks["jobs"] = "error: river migrations pending"
			ok = false
		}
	}
	status, code := "ok", http.StatusOK
	if !ok {
		status, code = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, code, map[string]any{"status": status, "checks": checks, "version": version.Get().Version})
}

// Metrics serves Prometheus text. On the main listener it follows the
// production rule: hidden unless a token is configured and presented.
func (h *Handler) Metrics() http.Handler {
	prom := promhttp.HandlerFor(h.Gatherer, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case h.MetricsToken != "":
			want := "Bearer " + h.MetricsToken
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
				httpx.WriteError(w, r, httpx.E(httpx.CodeUnauthorized, "a metrics token is required"))
				return
			}
		case !h.MetricsOnMain:
			httpx.WriteError(w, r, httpx.NotFound())
			return
		}
		prom.ServeHTTP(w, r)
	})
}

// MetricsOnly serves Prometheus text without checks, for the dedicated
// metrics listener.
func (h *Handler) MetricsOnly() http.Handler {
	return promhttp.HandlerFor(h.Gatherer, promhttp.HandlerOpts{})
}
