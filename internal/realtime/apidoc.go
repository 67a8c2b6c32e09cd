package realtime

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the realtime routes for the API contract.
func APIDocs() apidoc.Ops {
	return apidoc.Tagged("Realtime", apidoc.Ops{
		"POST /api/v1/realtime/tickets": {Summary: "A single-use ticket to open the WebSocket for one account",
			Body: apidoc.Object(map[string]any{"account_id": apidoc.Text}, "account_id"), Status: 201,
			Resp: apidoc.Object(map[string]any{"ticket": apidoc.Text, "expires_at": apidoc.Schema{"type": "string", "format": "date-time"},
				"account_id": apidoc.Text}, "ticket", "expires_at", "account_id")},
		"GET /api/v1/realtime": {Summary: "The WebSocket (upgrade), authenticated by ?ticket=",
			Description: "Frames are JSON events {id, type, account_id, topic, data}; subscribe with last_seq to get a replay, or resync when too old.",
			Query:       []apidoc.Param{{Name: "ticket", Required: true}}, Status: 101},
	})
}
