package ops

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/version"
)

// APIDocs describes the operational routes for the API contract.
func APIDocs() apidoc.Ops {
	return apidoc.Tagged("Operations", apidoc.Ops{
		"GET /healthz": {Summary: "Liveness: answers while the process is up",
			Resp: apidoc.Object(map[string]any{"status": apidoc.Text}, "status")},
		"GET /readyz": {Summary: "Readiness: database reachable, hub and job schemas current",
			Description: "503 with the failing check when not ready.",
			Resp:        readiness, Also: map[int]any{503: readiness}},
		"GET /metrics": {Summary: "Prometheus metrics",
			Description: "On the main listener only outside production, and then behind WHATPRO_METRICS_TOKEN as a bearer token when set; " +
				"production serves it on WHATPRO_METRICS_ADDR.",
			Content: "text/plain"},
		"GET /api/v1/version":      {Summary: "The running binary's version", Resp: version.Info{}},
		"GET /api/v1/openapi.json": {Summary: "This document", Resp: apidoc.Schema{"type": "object"}},
	})
}

var readiness = apidoc.Object(map[string]any{
	"status":  apidoc.Text,
	"checks":  apidoc.Schema{"type": "object", "additionalProperties": apidoc.Text},
	"version": apidoc.Text,
}, "status", "checks", "version")
