package provider

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/inbox"
)

// APIDocs describes the provider routes for the API contract.
func APIDocs() apidoc.Ops {
	A := apidoc.Acct
	return apidoc.Tagged("Providers", apidoc.Ops{
		"GET " + A + "/providers": {Summary: "WhatsApp providers (credentials never answered)", Query: apidoc.Paged, Resp: httpx.Page[*Provider]{}},
		"POST " + A + "/providers": {Summary: "Add a provider (Cloud API or Evolution); credentials are encrypted at rest",
			Body: providerReq{}, Status: 201, Resp: Provider{}},
		"GET " + A + "/providers/{providerID}":       {Summary: "A provider", Resp: Provider{}},
		"PATCH " + A + "/providers/{providerID}":     {Summary: "Change a provider", Body: providerReq{}, Resp: Provider{}},
		"DELETE " + A + "/providers/{providerID}":    {Summary: "Remove a provider with no numbers", Status: 204},
		"POST " + A + "/providers/{providerID}/test": {Summary: "Check the provider's credentials now", Resp: Health{}},
		"GET " + A + "/provider-instances":           {Summary: "Numbers (provider instances)", Query: apidoc.Paged, Resp: httpx.Page[*Instance]{}},
		"POST " + A + "/provider-instances": {Summary: "Add a number to a provider, within the plan's limit",
			Body: instanceReq{}, Status: 201, Resp: Instance{}},
		"GET " + A + "/provider-instances/{instanceID}": {Summary: "A number", Resp: Instance{}},
		"PATCH " + A + "/provider-instances/{instanceID}": {Summary: "Rename a number",
			Body: apidoc.Object(map[string]any{"display_name": apidoc.Text}), Resp: Instance{}},
		"DELETE " + A + "/provider-instances/{instanceID}": {Summary: "Remove a number", Status: 204},
		"POST " + A + "/provider-instances/{instanceID}/connect": {Summary: "Connect the number: a QR code or pairing code for Evolution",
			Description: "202 while the provider prepares the QR (it arrives by event; poll …/qr), 200 when the answer is final.",
			Status:      202, Resp: Connection{}, Also: map[int]any{200: Connection{}}},
		"GET " + A + "/provider-instances/{instanceID}/qr": {Summary: "The number's pending QR code and pairing code, once the provider sent them",
			Resp: Connection{}},
		"POST " + A + "/provider-instances/{instanceID}/logout": {Summary: "Disconnect the number at the provider without removing it",
			Resp: Instance{}},
		"GET " + A + "/provider-instances/{instanceID}/status": {Summary: "The number's connection state at the provider", Resp: Connection{}},
		"POST " + A + "/provider-instances/{instanceID}/inbox": {Summary: "Create (or adopt) the number's Chatwoot API inbox",
			Description: "201 when created, 200 when the number already had it.",
			Body:        apidoc.Object(map[string]any{"name": apidoc.Text, "adopt_chatwoot_inbox_id": apidoc.Schema{"type": "integer"}}),
			Status:      201, Resp: inbox.Inbox{}, Also: map[int]any{200: inbox.Inbox{}}},
		"GET /webhooks/providers/{providerID}": {Summary: "Cloud API webhook verification (hub.challenge echoed)",
			Query: []apidoc.Param{{Name: "hub.mode"}, {Name: "hub.verify_token"}, {Name: "hub.challenge"}}, Content: "text/plain"},
		"POST /webhooks/providers/{providerID}": {Summary: "Signed provider webhook (Cloud API X-Hub-Signature-256, Evolution token)",
			Description: "Answered only after the raw event is stored with its job.",
			Query:       []apidoc.Param{{Name: "token", Description: "Evolution's per-provider webhook token"}},
			Body:        apidoc.Schema{"type": "object"},
			Resp: apidoc.Object(map[string]any{"received": true, "id": apidoc.Text, "duplicate": true,
				"events": apidoc.Schema{"type": "array", "items": apidoc.Schema{"type": "object"}}})},
	})
}
