package privacy

import "github.com/whatpro/hub/internal/apidoc"

// APIDocs describes the data rights routes for the API contract.
func APIDocs() apidoc.Ops {
	A := apidoc.Acct
	return apidoc.Tagged("Data rights", apidoc.Ops{
		"GET " + A + "/export": {Summary: "Download the account's data as a JSON archive (no secrets), read in one snapshot; audited",
			Resp: apidoc.Object(map[string]any{"format": apidoc.Text, "account_id": apidoc.Text,
				"exported_at": apidoc.Schema{"type": "string", "format": "date-time"}, "section_names": []string{},
				"sections": apidoc.Schema{"type": "object", "additionalProperties": apidoc.Schema{"type": "array", "items": apidoc.Schema{"type": "object"}}}},
				"format", "account_id", "sections")},
		"GET " + A + "/deletion": {Summary: "The account's scheduled deletion (404 when none)", Resp: Deletion{}},
		"POST " + A + "/deletion": {Summary: "Schedule the account's deletion after the grace period (confirm with its name)",
			Body: apidoc.Object(map[string]any{"confirm_name": apidoc.Text}, "confirm_name"), Status: 202, Resp: Deletion{}},
		"DELETE " + A + "/deletion": {Summary: "Cancel the scheduled deletion", Status: 204},
		"POST " + A + "/contacts/{contactID}/erasure": {Summary: "Erase a Chatwoot contact's data in the account (tombstones in the audit log)",
			Resp: Erasure{}},
		"POST /api/v1/users/{userID}/erasure": {Summary: "Super admin: erase a user's personal data everywhere (tombstones in the audit log)",
			Resp: Erasure{}},
	})
}
