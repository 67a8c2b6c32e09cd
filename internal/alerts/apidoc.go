package alerts

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the alerts routes for the API contract.
func APIDocs() apidoc.Ops {
	return apidoc.Tagged("Alerts", apidoc.Ops{
		"GET " + apidoc.Acct + "/incidents": {Summary: "The account's open incidents: numbers that dropped, dead gateway work, a failing Chatwoot link, the monthly message limit",
			Description: "Checked every minute. An incident opens once and its admins get one e-mail (notified_at); it closes when the subject is healthy again. " +
				"kind is number_down (subject: the number), dead_letters (subject: gateway, detail: the dead items' count), link_failing (subject: the Chatwoot link), " +
				"messages_over_limit (the plan's max_messages_per_month is used: customers' messages still arrive, agents' replies are refused; subject: the month YYYY-MM, detail: used/limit when it opened; " +
				"it closes when the limit is raised or the month ends) or messages_near_limit (80% of that limit used, not all of it; same subject and detail).",
			Resp: apidoc.Object(map[string]any{"data": apidoc.Schema{"type": "array", "items": Incident{}}}, "data")},
	})
}
