package feature

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the feature flag routes for the API contract.
func APIDocs() apidoc.Ops {
	flags := apidoc.Object(map[string]any{"account_id": apidoc.Text, "features": map[string]bool{}}, "account_id", "features")
	return apidoc.Tagged("Features", apidoc.Ops{
		"GET /api/v1/features": {Summary: "The account's features as the caller sees them", Resp: flags},
		"PUT " + apidoc.Acct + "/features": {Summary: "Super admin: turn features on or off for the account",
			Body: map[string]bool{}, Resp: flags},
	})
}
