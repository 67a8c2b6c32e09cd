package chatwoot

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the Chatwoot link, SSO and instance token routes for
// the API contract.
func APIDocs() apidoc.Ops {
	A := apidoc.Acct
	obj, text := apidoc.Object, apidoc.Text
	at := apidoc.Schema{"type": "string", "format": "date-time"}
	integer := apidoc.Schema{"type": "integer"}
	scopes := apidoc.Schema{"type": []string{"array", "null"}, "items": text}
	return apidoc.Merge1(
		apidoc.Tagged("Chatwoot link", apidoc.Ops{
			"GET " + A + "/chatwoot": {Summary: "The account's Chatwoot link (secrets never answered)", Resp: LinkView{}},
			"PUT " + A + "/chatwoot": {Summary: "Link the account to a Chatwoot account (the token is checked, then encrypted)",
				Body: putLinkReq{}, Resp: LinkView{}},
			"DELETE " + A + "/chatwoot": {Summary: "Unlink, removing the hub's webhook and Dashboard App from Chatwoot",
				Resp: obj(map[string]any{"linked": false, "removed_in_chatwoot": apidoc.Any}, "linked")},
			"POST " + A + "/chatwoot/test": {Summary: "Check the link against Chatwoot now", Resp: LinkView{}},
			"PUT " + A + "/chatwoot/webhook-secret": {Summary: "Set the secret Chatwoot signs its webhooks with",
				Body: obj(map[string]any{"secret": text}), Resp: LinkView{}},
			"POST " + A + "/chatwoot/install": {Summary: "Install the hub's webhook and Dashboard App in Chatwoot", Resp: LinkView{}},
			"PUT " + A + "/chatwoot/url-token": {Summary: "Allow or refuse the Dashboard App's URL token",
				Body: obj(map[string]any{"enabled": true}), Resp: obj(map[string]any{"url_token_enabled": true}, "url_token_enabled")},
			"GET " + A + "/chatwoot/conversations/{conversationID}": {Summary: "A Chatwoot conversation's context, for agents of its inbox",
				Resp: obj(map[string]any{"account_id": text, "chatwoot_account_id": integer, "conversation_id": integer, "inbox_id": integer,
					"status": text, "contact": obj(map[string]any{"id": integer, "name": text, "phone_number": text}),
					"inbox": obj(map[string]any{"inbox_name": text, "number": apidoc.Schema{"type": []string{"object", "null"}, "properties": map[string]any{
						"id": text, "name": text, "display_name": text, "phone_number": text, "profile_name": text, "status": text, "disconnect_reason": text}}})},
					"account_id", "conversation_id", "inbox_id")},
			"GET " + A + "/chatwoot/teams": {Summary: "The Chatwoot account's teams (id, name), for board visibility",
				Description: "Read afresh with the link's token when Chatwoot answers, else the list last seen; known is false until the hub has seen one.",
				Resp: obj(map[string]any{"data": apidoc.Schema{"type": "array", "items": TeamRef{}}, "pagination": apidoc.Ref("Pagination"), "known": true},
					"data", "known")},
		}),
		apidoc.Tagged("Embedded sign-in", apidoc.Ops{
			"POST /api/v1/auth/chatwoot": {Summary: "Exchange a Chatwoot browser session for an instance token (checked against Chatwoot's profile)",
				Body: ssoReq{},
				Resp: obj(map[string]any{"token": text, "expires_at": at, "scopes": scopes, "account_id": text, "chatwoot_account_id": integer,
					"user": obj(map[string]any{"id": text, "name": text, "role": text, "chatwoot_user_id": integer})}, "token", "expires_at", "account_id")},
			"POST /api/v1/instance-tokens": {Summary: "Mint an instance token for an embedded page (same or narrower scopes)",
				Body: createTokenReq{}, Status: 201,
				Resp: obj(map[string]any{"token": text, "expires_at": at, "scopes": scopes, "account_id": text}, "token", "expires_at", "account_id")},
			"GET /api/v1/instance-tokens/validate": {Summary: "Check the bearer instance token",
				Description: "401 answers {valid:false, error:{…}}.",
				Resp: obj(map[string]any{"valid": true, "scopes": scopes, "account_id": text, "user_id": text, "expires_at": at,
					"chatwoot_account_id": integer, "identity_linked": apidoc.Schema{"type": "boolean"}}, "valid")},
			"DELETE /api/v1/instance-tokens/current": {Summary: "Revoke the bearer instance token", Status: 204},
			"POST /api/v1/me/chatwoot-identity/codes": {Summary: "From inside Chatwoot: a code to link this Chatwoot identity to a console login",
				Status: 201, Resp: obj(map[string]any{"code": text, "expires_at": at, "link_url": text}, "code", "expires_at", "link_url")},
			"POST /api/v1/me/chatwoot-identity/inspect": {Summary: "What a link code would link", Body: obj(map[string]any{"code": text}),
				Resp: obj(map[string]any{"origin": text, "chatwoot_user": obj(map[string]any{"id": integer, "name": text, "email": text}),
					"accounts": apidoc.Schema{"type": "array", "items": linkAccount{}}, "already_yours": true, "expires_at": at},
					"origin", "chatwoot_user", "accounts")},
			"POST /api/v1/me/chatwoot-identity": {Summary: "Link the Chatwoot identity of a code to the caller (password or TOTP again)",
				Body: obj(map[string]any{"code": text, "password": text, "totp_code": text}),
				Resp: obj(map[string]any{"linked": true, "origin": text, "chatwoot_user_id": integer}, "linked")},
		}),
		apidoc.Tagged("Platform App", apidoc.Ops{
			"GET /api/v1/platform-app/config": {Summary: "Embedding URLs and origins for an operator's platform app",
				Resp: obj(map[string]any{"account_id": text, "embed_urls": map[string]string{}, "allowed_origins": []string{},
					"hub_origin": text, "version": text, "scopes": scopes}, "account_id", "embed_urls")},
			"POST /api/v1/platform-app/events": {Summary: "Signed provisioning event (account.created, user.…) from the operator",
				Description: "Signed with a secret of WHATPRO_PLATFORM_EVENTS_SECRET; each delivery id is applied once.",
				Body:        platformEvent{}, Resp: apidoc.Schema{"type": "object"}, Also: map[int]any{201: apidoc.Schema{"type": "object"}}},
		}),
	)
}
