package gateway

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the gateway routes for the API contract.
func APIDocs() apidoc.Ops {
	G := apidoc.Acct + "/gateway"
	list := func(item any) apidoc.Schema {
		return apidoc.Object(map[string]any{"data": apidoc.Schema{"type": "array", "items": item}}, "data")
	}
	replayed := apidoc.Object(map[string]any{"replayed": apidoc.Schema{"type": "integer"}}, "replayed")
	return apidoc.Tagged("Gateway", apidoc.Ops{
		"GET " + G + "/numbers": {Summary: "Messages in and out per number today and this month, failures, dead letters, last error",
			Resp: list(NumberStats{})},
		"GET " + G + "/dead-letters": {Summary: "The account's dead gateway work with its error and payload",
			Query: append(append([]apidoc.Param{}, apidoc.Paged...), apidoc.Param{Name: "instance_id", Description: "only this number's"}), Resp: httpx.Page[DeadLetter]{}},
		"POST " + G + "/dead-letters/replay": {Summary: "Replay every dead item (or one number's) in its original order",
			Body: apidoc.Object(map[string]any{"instance_id": apidoc.Text}), Resp: replayed},
		"POST " + G + "/dead-letters/{workID}/replay": {Summary: "Replay one dead item in its place in the chat's order", Resp: replayed},
		"GET " + G + "/conversations/{conversationID}/log": {Summary: "A Chatwoot conversation's bridge log: each message's direction, ids, status and attempts",
			Description: "Agents see it only for conversations of their Chatwoot inboxes.",
			Resp: apidoc.Object(map[string]any{"conversation_id": apidoc.Schema{"type": "integer"},
				"data": apidoc.Schema{"type": "array", "items": LogEntry{}}}, "conversation_id", "data")},
		"GET " + G + "/numbers/{numberID}/templates": {Summary: "A Cloud API number's message templates approved by Meta",
			Description: "Listed from Meta (GET /{waba-id}/message_templates?status=APPROVED). 422 for an Evolution number or when Meta refuses; agents see only numbers of their Chatwoot inboxes.",
			Resp:        TemplateList{}},
		"GET " + G + "/numbers/{numberID}/settings": {Summary: "A number's gateway settings: group chats and outbound pacing",
			Description: "A pacing value that is null is the hub's default (WHATPRO_GATEWAY_SEND_GAP, _SEND_RATE, _SEND_TYPING), shown in defaults; effective is what sends use now. Admins only.",
			Resp:        NumberSettings{}},
		"PUT " + G + "/numbers/{numberID}/settings": {Summary: "Replace a number's gateway settings",
			Description: "A field left out or null is its default (groups: contact). send_gap_ms 0–30000 (the mean gap between two messages to one chat, jittered ±50%), send_per_minute 0–6000 (0: no limit), send_typing shows typing during the gap. Used from the next send on; audited as gateway_settings.updated. Admins only.",
			Body:        SettingsInput{}, Resp: NumberSettings{}},
		"GET " + G + "/conversations/{conversationID}/templates": {Summary: "The approved templates of a Chatwoot conversation's number, and when the customer last wrote",
			Description: "Agents see only conversations of their Chatwoot inboxes.", Resp: TemplateList{}},
		"POST " + G + "/conversations/{conversationID}/templates": {Summary: "Send an approved template to the conversation's customer (outside the 24-hour window)",
			Description: "Queued in the conversation's outbound lane (202); once Meta took it, it appears in Chatwoot as an outgoing message with the wamid as source_id and follows its statuses. A refusal is a private note. Agents of the conversation's inbox may send. " +
				"A media header (header_format IMAGE, VIDEO, DOCUMENT) needs header_media.link (https; a document may set filename); each URL button with variable=true needs button_parameters[{index, text}], the ending of its link.",
			Body: TemplateRequest{}, Status: 202,
			Resp: apidoc.Object(map[string]any{"id": apidoc.Text, "status": apidoc.Text, "text": apidoc.Text}, "id", "status", "text")},
	})
}
