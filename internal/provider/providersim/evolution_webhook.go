package providersim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// evoEvents is EventController.events: the names a webhook subscribes to.
var evoEvents = []string{
	"APPLICATION_STARTUP", "QRCODE_UPDATED", "MESSAGES_SET", "MESSAGES_UPSERT", "MESSAGES_EDITED",
	"MESSAGES_UPDATE", "MESSAGES_DELETE", "SEND_MESSAGE", "SEND_MESSAGE_UPDATE", "CONTACTS_SET",
	"CONTACTS_UPSERT", "CONTACTS_UPDATE", "PRESENCE_UPDATE", "CHATS_SET", "CHATS_UPSERT", "CHATS_UPDATE",
	"CHATS_DELETE", "GROUPS_UPSERT", "GROUP_UPDATE", "GROUP_PARTICIPANTS_UPDATE", "CONNECTION_UPDATE",
	"LABELS_EDIT", "LABELS_ASSOCIATION", "CALL", "TYPEBOT_START", "TYPEBOT_CHANGE_STATUS",
	"REMOVE_INSTANCE", "LOGOUT_INSTANCE", "INSTANCE_CREATE", "INSTANCE_DELETE", "STATUS_INSTANCE",
}

// evoWebhookInput is the webhook object of /webhook/set and of create.
type evoWebhookInput struct {
	Enabled  *bool             `json:"enabled"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
	ByEvents *bool             `json:"byEvents"`
	Base64   *bool             `json:"base64"`
	Events   []string          `json:"events"`
}

// evoWebhook is the stored Prisma Webhook row, rendered as is.
type evoWebhook struct {
	ID              string            `json:"id"`
	URL             string            `json:"url"`
	Headers         map[string]string `json:"headers"`
	Enabled         bool              `json:"enabled"`
	Events          []string          `json:"events"`
	WebhookByEvents bool              `json:"webhookByEvents"`
	WebhookBase64   bool              `json:"webhookBase64"`
	CreatedAt       string            `json:"createdAt"`
	UpdatedAt       string            `json:"updatedAt"`
	InstanceID      string            `json:"instanceId"`
}

// buildWebhook validates in and returns the row to store (updating prev
// when the instance had one), or a schema message.
func (e *Evolution) buildWebhook(prev *evoWebhook, in *evoWebhookInput) (*evoWebhook, string) {
	if in.Enabled == nil {
		return nil, `webhook requires property "enabled"`
	}
	if !strings.HasPrefix(in.URL, "http://") && !strings.HasPrefix(in.URL, "https://") {
		return nil, `Invalid "url" property`
	}
	for i, ev := range in.Events {
		if !slices.Contains(evoEvents, ev) {
			return nil, fmt.Sprintf("webhook.events[%d] is not one of enum values: %s", i, strings.Join(evoEvents, ","))
		}
	}
	now := jsTime(e.now())
	wh := &evoWebhook{ID: randomFrom("abcdefghijklmnopqrstuvwxyz0123456789", 25), CreatedAt: now}
	if prev != nil {
		wh.ID, wh.CreatedAt, wh.InstanceID = prev.ID, prev.CreatedAt, prev.InstanceID
	}
	wh.URL, wh.Headers, wh.Enabled, wh.UpdatedAt = in.URL, in.Headers, *in.Enabled, now
	wh.WebhookByEvents = in.ByEvents != nil && *in.ByEvents
	wh.WebhookBase64 = in.Base64 != nil && *in.Base64
	switch {
	case !wh.Enabled:
		wh.Events = []string{} // WebhookController.set drops the list of a disabled hook
	case len(in.Events) == 0:
		wh.Events = slices.Clone(evoEvents)
	default:
		wh.Events = slices.Clone(in.Events)
	}
	return wh, ""
}

func (e *Evolution) setWebhook(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	var in struct {
		Webhook *evoWebhookInput `json:"webhook"`
	}
	if !c.decodeBody(&in) {
		return
	}
	if in.Webhook == nil {
		c.badSchema(`requires property "webhook"`)
		return
	}
	wh, msg := e.buildWebhook(inst.webhook, in.Webhook)
	if msg != "" {
		c.badSchema(msg)
		return
	}
	wh.InstanceID = inst.id
	inst.webhook = wh
	c.reply(http.StatusCreated, wh)
}

func (e *Evolution) findWebhook(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	if inst.webhook == nil {
		c.reply(http.StatusOK, nil) // Prisma's findUnique: null
		return
	}
	c.reply(http.StatusOK, inst.webhook)
}

// EvolutionWebhook is an instance's webhook configuration as the hub set it.
type EvolutionWebhook struct {
	URL      string
	Enabled  bool
	ByEvents bool
	Base64   bool
	Events   []string
	Headers  map[string]string
}

// Webhook reports the webhook configured for an instance, for tests that
// check what the hub registered.
func (e *Evolution) Webhook(instance string) (EvolutionWebhook, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	inst := e.instances[instance]
	if inst == nil || inst.webhook == nil {
		return EvolutionWebhook{}, false
	}
	wh := inst.webhook
	return EvolutionWebhook{URL: wh.URL, Enabled: wh.Enabled, ByEvents: wh.WebhookByEvents, Base64: wh.WebhookBase64,
		Events: slices.Clone(wh.Events), Headers: maps.Clone(wh.Headers)}, true
}

// emit queues an instance event (connection, QR, instance lifecycle).
// Called with e.mu held.
func (e *Evolution) emit(inst *evoInstance, event string, data any) {
	e.emitChat(inst, event, "", data)
}

// emitChat queues event for inst's webhook the way WebhookController.emit
// does: only when enabled and subscribed to the event, with the event name
// appended to the URL when "webhook by events" is on. The suffix is plain
// string concatenation, so a URL with a query string gets it appended to
// the last parameter, exactly as Evolution does. Events of one chat are
// posted in order. Called with e.mu held.
func (e *Evolution) emitChat(inst *evoInstance, event, chat string, data any) {
	wh := inst.webhook
	if wh == nil || !wh.Enabled || (!strings.HasPrefix(wh.URL, "http://") && !strings.HasPrefix(wh.URL, "https://")) {
		return
	}
	we := strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(event))
	if !slices.Contains(wh.Events, we) {
		return
	}
	target := wh.URL
	if wh.WebhookByEvents {
		target += "/" + strings.ToLower(strings.ReplaceAll(we, "_", "-"))
	}
	env := evoEnvelope{Event: event, Instance: inst.name, Data: data, Destination: wh.URL,
		DateTime: localJSTime(e.now(), e.opts.TimeZone), Sender: inst.ownerJID, ServerURL: e.BaseURL()}
	if e.opts.ExposeAPIKey {
		env.APIKey = &inst.token
	}
	hdr := http.Header{}
	hdr.Set("Accept", "application/json, text/plain, */*")
	hdr.Set("Content-Type", "application/json")
	hdr.Set("User-Agent", "axios/1.7.9")
	for k, v := range wh.Headers {
		if k == "jwt_key" { // Evolution swaps this header for a short-lived JWT
			hdr.Set("Authorization", "Bearer "+webhookJWT(v, e.now()))
			continue
		}
		hdr.Set(k, v)
	}
	e.enqueue(&Delivery{URL: target, Event: event, Instance: inst.name, Chat: chat, Body: marshal(env), Header: hdr})
}

// webhookJWT is WebhookController.generateJwtToken: HS256 over
// {iat, exp: iat+600, app: "evolution", action: "webhook"}.
func webhookJWT(key string, now time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	iat := now.Unix()
	payload := enc.EncodeToString([]byte(fmt.Sprintf(`{"iat":%d,"exp":%d,"app":"evolution","action":"webhook"}`, iat, iat+600)))
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(header + "." + payload))
	return header + "." + payload + "." + enc.EncodeToString(mac.Sum(nil))
}
