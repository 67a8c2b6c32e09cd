package inbox

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the inbox mirror routes for the API contract.
func APIDocs() apidoc.Ops {
	A := apidoc.Acct
	return apidoc.Tagged("Inboxes", apidoc.Ops{
		"GET " + A + "/inboxes": {Summary: "The mirror of the linked Chatwoot account's inboxes",
			Query: append([]apidoc.Param{{Name: "channel_type"}}, apidoc.Paged...), Resp: httpx.Page[*Inbox]{}},
		"POST " + A + "/inboxes/sync": {Summary: "Start a sync with Chatwoot; follow it at /inboxes/syncs/{syncID}", Status: 202,
			Resp: apidoc.Object(map[string]any{"sync_id": apidoc.Text}, "sync_id")},
		"GET " + A + "/inboxes/syncs/{syncID}": {Summary: "A sync's progress and counts", Resp: Sync{}},
	})
}
