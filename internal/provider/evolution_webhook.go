package provider

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// Evolution cannot sign its webhooks: the hub gives it a callback URL
// that carries an unguessable token.
func (e *evolution) Authenticate(r *http.Request, _ []byte, s WebhookSecrets) bool {
	tok := r.URL.Query().Get("token")
	return s.URLToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.URLToken)) == 1
}

// Challenge refuses: Evolution makes no subscription check.
func (e *evolution) Challenge(url.Values, string) (string, bool) { return "", false }

func (e *evolution) UsesVerifyToken() bool { return false }

func (e *evolution) CallbackQuery(urlToken string) string {
	return "?token=" + url.QueryEscape(urlToken)
}

// Split: an Evolution POST is one event of one instance, named by its
// "event" and "instance". Messages dedupe on event and message id (a
// message is upserted once, sent once); anything else on the exact body,
// which Evolution's retries repeat byte for byte.
func (e *evolution) Split(providerID string, raw []byte, obj map[string]any) []Part {
	event, _ := obj["event"].(string)
	key, _ := obj["instance"].(string)
	p := whole(providerID, raw, obj, "")
	switch {
	case event == "":
		p.Ignore = "not an Evolution event: no event name"
		return []Part{p}
	case key == "":
		p.Event, p.Ignore = event, "the event names no instance"
		return []Part{checked(providerID, p)}
	}
	p.SourceID, p.Key, p.Event = providerID+":"+key, key, event
	p.OrderKey = evolutionOrderKey(event, obj["data"])
	if event == "messages.upsert" || event == "send.message" {
		data, _ := obj["data"].(map[string]any)
		k, _ := data["key"].(map[string]any)
		if id, _ := k["id"].(string); id != "" {
			p.Dedupe = event + ":" + id
		}
	}
	return []Part{checked(providerID, p)}
}

// evolutionOrderKey is the chat of a message event's items: data (one
// object or an array) holds {key:{remoteJid,…}} for upserts, sends and
// edits, and is the key itself for deletes and the {remoteJid, keyId,…}
// of an update; either shape is read for every event.
func evolutionOrderKey(event string, data any) string {
	switch event {
	case "messages.upsert", "send.message", "messages.edited", "messages.update", "messages.delete":
	default:
		return ""
	}
	items, ok := data.([]any)
	if !ok {
		items = []any{data}
	}
	keys := make([]string, 0, len(items))
	for _, it := range items {
		k, _ := it.(map[string]any)
		if nested, ok := k["key"].(map[string]any); ok {
			k = nested
		}
		jid, _ := k["remoteJid"].(string)
		alt, _ := k["remoteJidAlt"].(string)
		pn, _ := k["senderPn"].(string)
		keys = append(keys, chatOrderKey(jid, alt, pn))
	}
	return sameKey(keys)
}
