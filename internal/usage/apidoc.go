package usage

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the usage routes for the API contract.
func APIDocs() apidoc.Ops {
	q := []apidoc.Param{{Name: "from", Description: "YYYY-MM-DD, default 29 days ago"}, {Name: "to", Description: "YYYY-MM-DD, default today"}}
	series := apidoc.Schema{"type": []string{"array", "null"}, "items": Point{}}
	return apidoc.Tagged("Usage", apidoc.Ops{
		"GET " + apidoc.Acct + "/usage": {Summary: "Daily usage per metric (or one metric's series)",
			Query: append(q, apidoc.Param{Name: "metric", Description: "one metric only"}),
			Resp: apidoc.Object(map[string]any{"account_id": apidoc.Text, "from": apidoc.Text, "to": apidoc.Text, "metric": apidoc.Text,
				"series": series,
				"metrics": apidoc.Schema{"type": []string{"array", "null"},
					"items": apidoc.Object(map[string]any{"metric": apidoc.Text, "series": series})}}, "account_id")},
		"GET /api/v1/usage": {Summary: "Super admin: usage totals per account and metric", Query: q,
			Resp: apidoc.Object(map[string]any{"from": apidoc.Text, "to": apidoc.Text, "data": apidoc.Schema{"type": "array",
				"items": apidoc.Object(map[string]any{"account_id": apidoc.Text, "account_name": apidoc.Text, "metric": apidoc.Text,
					"total": apidoc.Schema{"type": "integer"}})}}, "from", "to", "data")},
	})
}
