package cwsim

import "strings"

// routeTable lists every JSON endpoint the simulator serves. Path parameter
// names follow swagger.json so the contract test can match them; /app
// pages and static assets are served by serveApp and serveAsset.
func (s *Sim) routeTable() []route {
	const acct = "/api/v1/accounts/{account_id}"
	rs := []route{
		{method: "GET", pattern: "/api", handle: s.routeVersion},
		{method: "POST", pattern: "/auth/sign_in", handle: s.routeSignIn},
		{method: "GET", pattern: "/auth/validate_token", handle: s.routeValidateToken},
		{method: "DELETE", pattern: "/auth/sign_out", handle: s.routeSignOut},
		{method: "GET", pattern: "/api/v1/profile", auth: authUser, handle: s.routeProfile},
		{method: "POST", pattern: "/public/api/v1/inboxes/{inbox_identifier}/contacts/{contact_identifier}/conversations/{conversation_id}/update_last_seen",
			handle: s.routePublicUpdateLastSeen},

		{method: "GET", pattern: acct + "/agents", handle: s.routeAgents},

		{method: "GET", pattern: acct + "/inboxes", handle: s.routeInboxes},
		{method: "POST", pattern: acct + "/inboxes", handle: s.routeCreateInbox},
		{method: "GET", pattern: acct + "/inboxes/{id}", handle: s.routeInbox},
		{method: "PATCH", pattern: acct + "/inboxes/{id}", handle: s.routeUpdateInbox},
		{method: "DELETE", pattern: acct + "/inboxes/{id}", handle: s.routeDeleteInbox},
		{method: "POST", pattern: acct + "/inboxes/{id}/reset_secret", handle: s.routeResetSecret},
		{method: "GET", pattern: acct + "/inbox_members/{inbox_id}", handle: s.routeInboxMembers},
		{method: "POST", pattern: acct + "/inbox_members", handle: s.routeChangeInboxMembers},
		{method: "PATCH", pattern: acct + "/inbox_members", handle: s.routeChangeInboxMembers},
		{method: "DELETE", pattern: acct + "/inbox_members", handle: s.routeChangeInboxMembers},

		{method: "GET", pattern: acct + "/teams", handle: s.routeTeams},
		{method: "POST", pattern: acct + "/teams", handle: s.routeCreateTeam},
		{method: "GET", pattern: acct + "/teams/{team_id}", handle: s.routeTeam},
		{method: "PATCH", pattern: acct + "/teams/{team_id}", handle: s.routeUpdateTeam},
		{method: "DELETE", pattern: acct + "/teams/{team_id}", handle: s.routeDeleteTeam},
		{method: "GET", pattern: acct + "/teams/{team_id}/team_members", handle: s.routeTeamMembers},
		{method: "POST", pattern: acct + "/teams/{team_id}/team_members", handle: s.routeChangeTeamMembers},
		{method: "PATCH", pattern: acct + "/teams/{team_id}/team_members", handle: s.routeChangeTeamMembers},
		{method: "DELETE", pattern: acct + "/teams/{team_id}/team_members", handle: s.routeChangeTeamMembers},

		{method: "GET", pattern: acct + "/contacts", handle: s.routeContacts},
		{method: "POST", pattern: acct + "/contacts", handle: s.routeCreateContact},
		{method: "GET", pattern: acct + "/contacts/search", handle: s.routeSearchContacts},
		{method: "POST", pattern: acct + "/contacts/filter", handle: s.routeFilterContacts},
		{method: "GET", pattern: acct + "/contacts/{id}", handle: s.routeContact},
		{method: "PUT", pattern: acct + "/contacts/{id}", handle: s.routeUpdateContact},
		{method: "PATCH", pattern: acct + "/contacts/{id}", handle: s.routeUpdateContact},
		{method: "POST", pattern: acct + "/contacts/{id}/contact_inboxes", handle: s.routeCreateContactInbox},
		{method: "POST", pattern: acct + "/contact_inboxes/filter", handle: s.routeFilterContactInboxes},

		{method: "GET", pattern: acct + "/conversations", handle: s.routeConversations},
		{method: "POST", pattern: acct + "/conversations", handle: s.routeCreateConversation},
		{method: "GET", pattern: acct + "/conversations/{conversation_id}", handle: s.routeConversation},
		{method: "POST", pattern: acct + "/conversations/{conversation_id}/toggle_status", handle: s.routeToggleStatus},
		{method: "POST", pattern: acct + "/conversations/{conversation_id}/custom_attributes", handle: s.routeCustomAttributes},
		{method: "GET", pattern: acct + "/conversations/{conversation_id}/messages", handle: s.routeMessages},
		{method: "POST", pattern: acct + "/conversations/{conversation_id}/messages", handle: s.routeCreateMessage},
		{method: "PATCH", pattern: acct + "/conversations/{conversation_id}/messages/{message_id}", handle: s.routeUpdateMessage},
		{method: "PUT", pattern: acct + "/conversations/{conversation_id}/messages/{message_id}", handle: s.routeUpdateMessage},
		{method: "DELETE", pattern: acct + "/conversations/{conversation_id}/messages/{message_id}", handle: s.routeDeleteMessage},
		{method: "POST", pattern: acct + "/conversations/{conversation_id}/messages/{message_id}/retry", handle: s.routeRetryMessage},
		{method: "POST", pattern: acct + "/conversations/{conversation_id}/toggle_typing_status", handle: s.routeToggleTyping},
		{method: "POST", pattern: acct + "/actions/contact_merge", handle: s.routeContactMerge},

		{method: "GET", pattern: acct + "/webhooks", handle: s.routeWebhooks},
		{method: "POST", pattern: acct + "/webhooks", handle: s.routeCreateWebhook},
		{method: "PATCH", pattern: acct + "/webhooks/{webhook_id}", handle: s.routeUpdateWebhook},
		{method: "DELETE", pattern: acct + "/webhooks/{webhook_id}", handle: s.routeDeleteWebhook},

		{method: "GET", pattern: acct + "/dashboard_apps", handle: s.routeDashboardApps},
		{method: "POST", pattern: acct + "/dashboard_apps", handle: s.routeCreateDashboardApp},
		{method: "GET", pattern: acct + "/dashboard_apps/{id}", handle: s.routeDashboardApp},
		{method: "PATCH", pattern: acct + "/dashboard_apps/{id}", handle: s.routeUpdateDashboardApp},
		{method: "DELETE", pattern: acct + "/dashboard_apps/{id}", handle: s.routeDeleteDashboardApp},
	}
	for i := range rs {
		if strings.HasPrefix(rs[i].pattern, acct) {
			rs[i].auth, rs[i].account = authUser, true
		}
		rs[i].segs = strings.Split(strings.Trim(rs[i].pattern, "/"), "/")
	}
	return rs
}
