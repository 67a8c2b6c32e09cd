package plan

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the plan routes for the API contract.
func APIDocs() apidoc.Ops {
	A := apidoc.Acct
	return apidoc.Tagged("Plans", apidoc.Ops{
		"GET /api/v1/plans":             {Summary: "Super admin: the plan catalog", Resp: httpx.Page[*Plan]{}},
		"POST /api/v1/plans":            {Summary: "Super admin: create a plan", Body: planReq{}, Status: 201, Resp: Plan{}},
		"PATCH /api/v1/plans/{planID}":  {Summary: "Super admin: change a plan", Body: planReq{}, Resp: Plan{}},
		"DELETE /api/v1/plans/{planID}": {Summary: "Super admin: delete a plan no account uses", Status: 204},
		"PUT " + A + "/plan": {Summary: "Super admin: put the account on a plan, with per-limit overrides",
			Body: apidoc.Object(map[string]any{"plan_id": apidoc.Text, "overrides": map[string]int{}}), Resp: entitlements},
		"GET " + A + "/entitlements": {Summary: "The account's limits and their current use", Resp: entitlements},
	})
}

var entitlements = apidoc.Object(map[string]any{
	"account_id": apidoc.Text,
	"plan":       apidoc.Object(map[string]any{"id": apidoc.Text, "name": apidoc.Text}),
	"overrides":  apidoc.Schema{"type": []string{"object", "null"}, "additionalProperties": apidoc.Schema{"type": "integer"}},
	"limits":     apidoc.Schema{"type": []string{"array", "null"}, "items": entitlement{}},
}, "account_id", "plan", "limits")
