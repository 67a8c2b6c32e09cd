package alerts

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the alerts routes for the API contract.
func APIDocs() apidoc.Ops {
	return apidoc.Tagged("Alerts", apidoc.Ops{
		"GET " + apidoc.Acct + "/incidents": {Summary: "The account's open incidents: numbers that dropped, dead gateway work, a failing Chatwoot link",
			Description: "Checked every minute. An incident opens once and its admins get one e-mail (notified_at); it closes when the subject is healthy again. " +
				"kind is number_down (subject: the number), dead_letters (subject: gateway, detail: the dead items' count) or link_failing (subject: the Chatwoot link).",
			Resp: apidoc.Object(map[string]any{"data": apidoc.Schema{"type": "array", "items": Incident{}}}, "data")},
	})
}
