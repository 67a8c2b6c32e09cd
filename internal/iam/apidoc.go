package iam

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the identity routes for the API contract.
func APIDocs() apidoc.Ops {
	A := apidoc.Acct
	obj, text := apidoc.Object, apidoc.Text
	str := func(names ...string) apidoc.Schema {
		props := map[string]any{}
		for _, n := range names {
			props[n] = text
		}
		return obj(props)
	}
	tokenPair := "Answers an access token and sets the rotating refresh token as the HttpOnly cookie whatpro_refresh."
	return apidoc.Merge1(
		apidoc.Tagged("Sessions", apidoc.Ops{
			"POST /api/v1/auth/login": {Summary: "Sign in with e-mail and password (and TOTP when enabled)",
				Description: tokenPair, Body: loginReq{}, Resp: tokenResp{}},
			"POST /api/v1/auth/refresh": {Summary: "Rotate the refresh cookie for a new access token",
				Description: "Reusing an old refresh token revokes the whole family. Without a refresh cookie it answers 204 and no body: " +
					"nobody is signed in (a 401 is kept for a cookie that is invalid, used or revoked).", Resp: tokenResp{}, Also: map[int]any{204: nil}},
			"POST /api/v1/auth/logout":                 {Summary: "End the current session", Status: 204},
			"GET /api/v1/sessions":                     {Summary: "The caller's open sessions", Resp: httpx.Page[*Session]{}},
			"DELETE /api/v1/sessions/{sessionID}":      {Summary: "Revoke one of the caller's sessions", Status: 204},
			"POST /api/v1/auth/password-reset":         {Summary: "Mail a password reset link (same answer for any address)", Body: str("email"), Status: 202, Resp: str("status", "message")},
			"POST /api/v1/auth/password-reset/confirm": {Summary: "Set a new password with a reset token", Body: str("token", "password"), Status: 204},
		}),
		apidoc.Tagged("Invitations", apidoc.Ops{
			"POST /api/v1/invitations/inspect":  {Summary: "Read an invitation link before activating it", Body: str("token"), Resp: invitationView{}},
			"POST /api/v1/invitations/activate": {Summary: "Activate an invitation: set the new user's password", Body: str("token", "password"), Status: 204},
			"POST /api/v1/me/invitations/redeem": {Summary: "Redeem an invitation link as a signed-in user", Body: str("token"),
				Resp: obj(map[string]any{"account_id": text}, "account_id")},
			"POST /api/v1/me/invitations/{invitedAccountID}/accept":  {Summary: "Accept a pending invitation", Status: 204},
			"POST /api/v1/me/invitations/{invitedAccountID}/decline": {Summary: "Decline a pending invitation", Status: 204},
			"POST /api/v1/users/{userID}/release-email": {Summary: "Super admin: mark a user's e-mail verified so it can sign in",
				Resp: obj(map[string]any{"id": text, "email": text, "email_verified": apidoc.Schema{"type": "boolean"}}, "id", "email", "email_verified")},
		}),
		apidoc.Tagged("Me", apidoc.Ops{
			"GET /api/v1/me": {Summary: "The caller, their memberships and permissions",
				Resp: obj(map[string]any{"user": User{}, "memberships": []meMembership{}, "mfa_pending": true}, "user", "memberships", "mfa_pending")},
			"POST /api/v1/me/password":   {Summary: "Change the caller's password", Body: str("current_password", "new_password"), Status: 204},
			"POST /api/v1/me/totp/setup": {Summary: "Start TOTP enrolment", Resp: str("secret", "otpauth_url")},
			"POST /api/v1/me/totp/enable": {Summary: "Confirm TOTP with a code; answers single-use recovery codes", Body: str("code"),
				Resp: obj(map[string]any{"enabled": true, "recovery_codes": []string{}}, "enabled", "recovery_codes")},
		}),
		apidoc.Tagged("Accounts", apidoc.Ops{
			"GET /api/v1/accounts":  {Summary: "Accounts the caller belongs to (all, for the super admin)", Query: apidoc.Paged, Resp: httpx.Page[*Account]{}},
			"POST /api/v1/accounts": {Summary: "Super admin: create an account", Body: str("name"), Status: 201, Resp: Account{}},
			"GET " + A:              {Summary: "The account", Resp: Account{}},
			"PATCH " + A:            {Summary: "Rename, suspend or reactivate the account", Body: str("name", "status"), Resp: Account{}},
			"POST " + A + "/join": {Summary: "Super admin: join the account as an active admin (takes a seat; joining again changes nothing)",
				Description: "Answers 201 with the membership when it changed, 200 when the caller already was an active admin.", Status: 201, Resp: Member{}},
		}),
		apidoc.Tagged("Users", apidoc.Ops{
			"GET " + A + "/users": {Summary: "Members of the account",
				Query: append([]apidoc.Param{{Name: "status", Description: "active | invited | disabled"}}, apidoc.Paged...), Resp: httpx.Page[*Member]{}},
			"POST " + A + "/users": {Summary: "Invite a user (mailed when SMTP is set)", Body: addUserReq{}, Status: 201, Resp: Invitation{}},
			"PATCH " + A + "/users/{userID}": {Summary: "Change a member's role or disable them",
				Body: obj(map[string]any{"role": text, "active": apidoc.Schema{"type": "boolean"}}), Resp: Member{}},
			"POST " + A + "/users/{userID}/invitation": {Summary: "Invite a removed or invited user again", Body: str("role"), Resp: Invitation{}},
			"DELETE " + A + "/users/{userID}":          {Summary: "Remove a member from the account", Status: 204},
		}),
		apidoc.Tagged("API keys", apidoc.Ops{
			"GET " + A + "/api-keys": {Summary: "The account's API keys (never their secrets)", Query: apidoc.Paged, Resp: httpx.Page[*APIKey]{}},
			"POST " + A + "/api-keys": {Summary: "Create a key limited to scopes the caller holds; the full key is answered once",
				Body: createKeyReq{}, Status: 201, Resp: createKeyResp{}},
			"DELETE " + A + "/api-keys/{keyID}": {Summary: "Revoke a key", Status: 204},
		}),
	)
}
