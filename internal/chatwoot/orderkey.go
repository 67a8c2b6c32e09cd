package chatwoot

import (
	"encoding/json"
	"strings"
)

// CallbackOrderKey is the ordering key of an API-inbox callback
// (intake.Incoming.OrderKey): "conv:<id>" for a message event of a
// conversation, so the gateway keeps one conversation's replies in order
// without holding them behind other conversations of the inbox. A
// message's webhook_data nests the conversation ({conversation:{id}});
// its push form has conversation_id. Anything else is "" (unknown).
func CallbackOrderKey(event string, obj map[string]any) string {
	if event != "message_created" && event != "message_updated" {
		return ""
	}
	id := ""
	if cv, ok := obj["conversation"].(map[string]any); ok {
		id = positiveID(cv["id"])
	}
	if id == "" {
		id = positiveID(obj["conversation_id"])
	}
	if id == "" {
		return ""
	}
	return "conv:" + id
}

// positiveID is a JSON number (decoded with UseNumber, as the intake
// does) that is a positive integer, as decimal digits; "" otherwise.
func positiveID(v any) string {
	n, ok := v.(json.Number)
	s := n.String()
	if !ok || s == "" || len(s) > 19 || s[0] == '0' || strings.Trim(s, "0123456789") != "" {
		return ""
	}
	return s
}
