package intake

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the webhook intake routes for the API contract.
func APIDocs() apidoc.Ops {
	received := apidoc.Object(map[string]any{"received": true, "id": apidoc.Text, "duplicate": true})
	hook := "Chatwoot's signed webhook (X-Chatwoot-Signature over timestamp.body, with the link's own secret). " +
		"Answered only after the raw event is stored with its job; a repeated delivery answers duplicate."
	return apidoc.Tagged("Webhooks", apidoc.Ops{
		"POST /webhooks/chatwoot/{linkID}": {Summary: "Account webhook from Chatwoot", Description: hook,
			Body: apidoc.Schema{"type": "object"}, Resp: received},
		"POST /webhooks/chatwoot/inboxes/{inboxLinkID}": {Summary: "API-channel inbox webhook from Chatwoot", Description: hook,
			Body: apidoc.Schema{"type": "object"}, Resp: received},
		"GET " + apidoc.Acct + "/webhook-events": {Summary: "Stored webhook events and their processing state",
			Query: append([]apidoc.Param{{Name: "status"}, {Name: "event"}}, apidoc.Paged...), Resp: httpx.Page[Event]{}},
		"POST " + apidoc.Acct + "/webhook-events/{eventID}/replay": {Summary: "Process a stored event again", Status: 202,
			Resp: apidoc.Object(map[string]any{"id": apidoc.Text, "status": apidoc.Text}, "id", "status")},
	})
}
