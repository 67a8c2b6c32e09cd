package ops

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/version"
)

// APIDocs describes the operational routes for the API contract.
func APIDocs() apidoc.Ops {
	return apidoc.Merge1(apidoc.Tagged("Operations", apidoc.Ops{
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
	}), apidoc.Tagged("Jobs", apidoc.Ops{
		"GET /api/v1/job-kinds": {Summary: "Super admin: jobs per kind and state, with each kind's queue depth",
			Resp: apidoc.Object(map[string]any{"data": []KindCounts{}, "totals": map[string]int{}}, "data", "totals")},
		"GET /api/v1/jobs": {Summary: "Super admin: the jobs of one state, newest first",
			Query: []apidoc.Param{{Name: "state", Required: true, Description: "available, scheduled, pending, running, retryable, discarded, cancelled or completed"},
				{Name: "kind"}, apidoc.Paged[0], apidoc.Paged[1]},
			Resp: httpx.Page[JobView]{}},
		"POST /api/v1/jobs/{jobID}/retry": {Summary: "Super admin: run a job again now (409 while it runs); audited on the hub chain",
			Resp: JobView{}},
		"POST /api/v1/jobs/{jobID}/discard": {Summary: "Super admin: cancel a waiting job, or remove a dead one; audited on the hub chain",
			Resp: JobView{}},
	}))
}

var readiness = apidoc.Object(map[string]any{
	"status":  apidoc.Text,
	"checks":  apidoc.Schema{"type": "object", "additionalProperties": apidoc.Text},
	"version": apidoc.Text,
}, "status", "checks", "version")
