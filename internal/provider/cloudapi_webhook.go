package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// Meta signs every POST with X-Hub-Signature-256 over the raw body, keyed
// with the app secret.
func (c *cloudAPI) Authenticate(r *http.Request, raw []byte, s WebhookSecrets) bool {
	return validMetaSignature(s.AppSecret, r.Header.Get("X-Hub-Signature-256"), raw)
}

func validMetaSignature(secret, header string, body []byte) bool {
	sig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || secret == "" {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(m.Sum(nil), got)
}

// Challenge echoes hub.challenge only for the provider's own verify token.
func (c *cloudAPI) Challenge(q url.Values, verifyToken string) (string, bool) {
	if q.Get("hub.mode") != "subscribe" || verifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(verifyToken)) != 1 {
		return "", false
	}
	return q.Get("hub.challenge"), true
}

func (c *cloudAPI) UsesVerifyToken() bool { return true }

// CallbackQuery is empty: Meta's callback is authenticated by signature.
func (c *cloudAPI) CallbackQuery(string) string { return "" }

// Split routes a notification by changes[].value.metadata.phone_number_id
// and cuts it into one part per message and per status (Meta batches
// several entries, numbers, messages and statuses in one POST). Each part
// keeps Meta's shape, {object, entry:[{id, changes:[{field, value}]}]},
// with only its own message or status (and its sender's contact) in the
// value, so a consumer reads every part the same way. Messages dedupe on
// their wamid, statuses on wamid and status, coexistence echoes
// (smb_message_echoes) on theirs; other changes on their content.
func (c *cloudAPI) Split(providerID string, raw []byte, obj map[string]any) []Part {
	if o, _ := obj["object"].(string); o != "whatsapp_business_account" {
		return []Part{whole(providerID, raw, obj, "not a WhatsApp Business Account notification")}
	}
	var parts []Part
	entries, _ := obj["entry"].([]any)
	for _, e := range entries {
		em, _ := e.(map[string]any)
		changes, _ := em["changes"].([]any)
		for _, ch := range changes {
			cm, _ := ch.(map[string]any)
			v, _ := cm["value"].(map[string]any)
			if v == nil {
				continue
			}
			parts = append(parts, splitChange(providerID, em["id"], cm, v)...)
		}
	}
	if len(parts) == 0 {
		return []Part{whole(providerID, raw, obj, "the notification carries no change with a value")}
	}
	return parts
}

func splitChange(providerID string, entryID any, change, v map[string]any) []Part {
	md, _ := v["metadata"].(map[string]any)
	key, _ := md["phone_number_id"].(string)
	field, _ := change["field"].(string)
	rest := map[string]any{}
	for k, val := range v {
		if k != "messages" && k != "statuses" && k != "contacts" && k != "message_echoes" {
			rest[k] = val
		}
	}
	contacts, _ := v["contacts"].([]any)
	mk := func(event, dedupe, orderKey string, value map[string]any) Part {
		p := Part{SourceID: providerID + ":" + key, Key: key, Event: event, Dedupe: dedupe, OrderKey: orderKey,
			Payload: map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
				"id": entryID, "changes": []any{map[string]any{"field": change["field"], "value": value}}}}}}
		if key == "" {
			p.Ignore = "the change names no metadata.phone_number_id"
		}
		if p.Dedupe == "" {
			p.Dedupe = "sha256:" + hashJSON(p.Payload)
		}
		return checked(providerID, p)
	}
	var parts []Part
	msgs, _ := v["messages"].([]any)
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		value := clone(rest)
		value["messages"] = []any{m}
		if cs := contactsOf(contacts, mm["from"]); cs != nil {
			value["contacts"] = cs
		}
		id, _ := mm["id"].(string)
		parts = append(parts, mk("messages", prefixed("wamid:", id), cloudOrderKey(mm["from"]), value))
	}
	sts, _ := v["statuses"].([]any)
	for _, st := range sts {
		sm, _ := st.(map[string]any)
		value := clone(rest)
		value["statuses"] = []any{st}
		id, _ := sm["id"].(string)
		status, _ := sm["status"].(string)
		dedupe := ""
		if id != "" && status != "" {
			dedupe = "status:" + id + ":" + status
		}
		parts = append(parts, mk("statuses", dedupe, cloudOrderKey(sm["recipient_id"]), value))
	}
	// Coexistence: messages the business sent from the WhatsApp Business
	// app, echoed under field smb_message_echoes, one event each.
	echoes, _ := v["message_echoes"].([]any)
	for _, m := range echoes {
		mm, _ := m.(map[string]any)
		value := clone(rest)
		value["message_echoes"] = []any{m}
		id, _ := mm["id"].(string)
		event := field
		if !plainName(event) {
			event = "smb_message_echoes"
		}
		parts = append(parts, mk(event, prefixed("echo:", id), cloudOrderKey(mm["to"]), value))
	}
	if len(parts) == 0 {
		if field == "" {
			field = "change"
		}
		parts = append(parts, mk(field, "", "", v))
	}
	return parts
}

// cloudOrderKey is the chat of a message (from), a status (recipient_id)
// or an echo (to): the customer's phone, as the gateway reads it (its
// digits). A hidden phone (only a user id) is not keyed.
func cloudOrderKey(who any) string {
	s, _ := who.(string)
	return phoneOrderKey(Digits(s))
}

// contactsOf keeps the contact that sent the message (Meta lists one per
// sender); without a match every contact stays, as nothing can be told
// apart.
func contactsOf(contacts []any, from any) []any {
	if contacts == nil {
		return nil
	}
	for _, c := range contacts {
		cm, _ := c.(map[string]any)
		if from != nil && cm != nil && cm["wa_id"] == from {
			return []any{c}
		}
	}
	return contacts
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func prefixed(prefix, id string) string {
	if id == "" {
		return ""
	}
	return prefix + id
}
