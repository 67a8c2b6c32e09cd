package audit

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the audit routes for the API contract.
func APIDocs() apidoc.Ops {
	var q []apidoc.Param
	for _, n := range []string{"actor_id", "actor_type", "action", "resource_type", "resource_id", "from", "to"} {
		q = append(q, apidoc.Param{Name: n})
	}
	q[2].Description = "exact, or a prefix ending in * (auth.*)"
	q[5].Description, q[6].Description = "RFC 3339, inclusive", "RFC 3339, exclusive"
	return apidoc.Tagged("Audit", apidoc.Ops{
		"GET " + apidoc.Acct + "/audit-logs": {Summary: "The account's audit log, newest first (hash-chained; verify with whatpro audit verify)",
			Query: append(q, apidoc.Paged...), Resp: httpx.Page[Row]{}},
	})
}
