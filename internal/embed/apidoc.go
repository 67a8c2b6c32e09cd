package embed

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the embedding routes for the API contract.
func APIDocs() apidoc.Ops {
	page := "CSP frame-ancestors lists the account's Chatwoot origins ('none' otherwise)."
	return apidoc.Tagged("Embedding", apidoc.Ops{
		"GET /embed/context": {Summary: "Whether the calling Chatwoot origin's account is linked (the dashboard script asks)",
			Query: []apidoc.Param{{Name: "chatwoot_account_id", Required: true, Schema: apidoc.Schema{"type": "integer"}}},
			Resp:  apidoc.Object(map[string]any{"linked": true, "hub_origin": apidoc.Text, "account_id": apidoc.Text}, "linked", "hub_origin")},
		"GET /embed/dashboard-script.js": {Summary: "The dashboard script for Chatwoot's DASHBOARD_SCRIPTS", Content: "text/javascript"},
		"GET /embed/app/{feature}": {Summary: "An embedded panel (kanban, internal_chat, hub_admin; gateway opens hub_admin at its numbers)", Description: page,
			Query: []apidoc.Param{{Name: "account"}}, Content: "text/html"},
		"GET /embed/conversation": {Summary: "The Dashboard App page of the conversation tab", Description: page,
			Query: []apidoc.Param{{Name: "account"}}, Content: "text/html"},
	})
}
