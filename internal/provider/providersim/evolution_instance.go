package providersim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// evoCreateBody is the part of InstanceDto the simulator understands; other
// fields (proxy, chatwoot*, settings) are accepted and ignored.
type evoCreateBody struct {
	InstanceName string           `json:"instanceName"`
	Token        string           `json:"token"`
	QRCode       bool             `json:"qrcode"`
	Number       string           `json:"number"`
	Integration  string           `json:"integration"`
	Webhook      *evoWebhookInput `json:"webhook"`
}

const integrationBaileys = "WHATSAPP-BAILEYS"

func (e *Evolution) create(c *evoCall) {
	var in evoCreateBody
	if !c.decodeBody(&in) {
		return
	}
	// instanceLoggedGuard runs before the key check.
	if e.instances[in.InstanceName] != nil {
		c.fail(http.StatusForbidden, fmt.Sprintf("This name %q is already in use.", in.InstanceName))
		return
	}
	if !e.authorized(c, nil) {
		c.fail(http.StatusUnauthorized)
		return
	}
	switch {
	case in.InstanceName == "":
		c.badSchema(`requires property "instanceName"`)
		return
	case strings.ContainsAny(in.InstanceName, "/?#"):
		// Real Evolution accepts these and then cannot route to the instance.
		c.badSchema(`instanceName must not contain "/", "?" or "#"`)
		return
	case in.Integration == "":
		in.Integration = integrationBaileys
	case in.Integration == "WHATSAPP-BUSINESS" || in.Integration == "EVOLUTION":
		c.fail(http.StatusBadRequest, "providersim: only the WHATSAPP-BAILEYS integration is simulated")
		return
	case in.Integration != integrationBaileys:
		c.fail(http.StatusBadRequest, "Invalid integration")
		return
	}
	var wh *evoWebhook
	if in.Webhook != nil && in.Webhook.URL != "" {
		enabled := true // eventManager.setInstance always enables a webhook given at creation
		in.Webhook.Enabled = &enabled
		var msg string
		if wh, msg = e.buildWebhook(nil, in.Webhook); msg != "" {
			c.badSchema(msg)
			return
		}
	}
	now := e.now()
	inst := &evoInstance{id: uuidV4(), name: in.InstanceName, token: in.Token, integration: in.Integration,
		number: digitsOnly(in.Number), state: StateClose, statusReason: 200, createdAt: now, updatedAt: now, webhook: wh}
	if inst.token == "" {
		inst.token = strings.ToUpper(uuidV4())
	}
	if wh != nil {
		wh.InstanceID = inst.id
	}
	e.instances[inst.name] = inst
	e.emit(inst, "instance.create", object{{"instanceName", inst.name}, {"instanceId", inst.id}})
	var qr *evoQR
	if in.QRCode {
		if err := e.startConnecting(inst); err != nil {
			c.fail(http.StatusInternalServerError, err.Error())
			return
		}
		cp := inst.qr
		qr = &cp
	}
	c.reply(http.StatusCreated, evoCreated{
		Instance: evoCreatedInstance{InstanceName: inst.name, InstanceID: inst.id, Integration: inst.integration,
			WebhookWaBusiness: nil, AccessTokenWaBusiness: "", Status: inst.state},
		Hash:     inst.token,
		Webhook:  createdWebhook(in.Webhook),
		Settings: defaultSettings(),
		QRCode:   qr,
	})
}

// startConnecting plays Baileys opening a socket: "close" moves to
// "connecting" (with its connection.update), then a QR code arrives.
func (e *Evolution) startConnecting(inst *evoInstance) error {
	if inst.state == StateClose {
		inst.state, inst.statusReason, inst.qr = StateConnecting, 200, evoQR{}
		e.emit(inst, "connection.update", evoConnectionUpdate{Instance: inst.name, State: inst.state, StatusReason: inst.statusReason})
	}
	return e.newQR(inst)
}

// newQR generates the next QR code, as Baileys does every ~20 s while a
// session waits to be paired, and reports it as qrcode.updated.
func (e *Evolution) newQR(inst *evoInstance) error {
	// Baileys' QR payload: ref, noise public key, identity public key and
	// adv secret, joined by commas.
	code := "2@" + randomFrom(base62+"+/", 86) + "," + b64(32) + "," + b64(32) + "," + b64(32)
	png, err := e.renderQR(code)
	if err != nil {
		return err
	}
	var pairing *string
	if inst.number != "" { // Baileys only requests a pairing code for a known number
		p := randomFrom("123456789ABCDEFGHJKLMNPQRSTVWXYZ", 8)
		pairing = &p
	}
	inst.qr = evoQR{PairingCode: pairing, Code: code, Base64: png, Count: inst.qr.Count + 1}
	inst.updatedAt = e.now()
	e.emit(inst, "qrcode.updated", object{{"qrcode", object{
		{"instance", inst.name}, {"pairingCode", pairing}, {"code", code}, {"base64", png}}}})
	return nil
}

// b64 is n random bytes in standard base64, like the keys in a QR payload.
func b64(n int) string { return base64.StdEncoding.EncodeToString(randomBytes(n)) }

func (e *Evolution) connect(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	if inst.state == StateOpen {
		c.reply(http.StatusOK, evoStateBody(inst))
		return
	}
	if n := digitsOnly(c.r.URL.Query().Get("number")); n != "" {
		inst.number = n
	}
	if err := e.startConnecting(inst); err != nil {
		c.fail(http.StatusInternalServerError, err.Error())
		return
	}
	c.reply(http.StatusOK, inst.qr)
}

func evoStateBody(inst *evoInstance) object {
	return object{{"instance", object{{"instanceName", inst.name}, {"state", inst.state}}}}
}

func (e *Evolution) connectionState(c *evoCall) {
	if inst := e.guard(c); inst != nil {
		c.reply(http.StatusOK, evoStateBody(inst))
	}
}

func (e *Evolution) fetchInstances(c *evoCall) {
	key := c.r.Header.Get("apikey")
	global := e.authorized(c, nil)
	want := c.r.URL.Query().Get("instanceName")
	if want != "" && e.instances[want] == nil && global {
		c.fail(http.StatusNotFound, fmt.Sprintf("Instance %q not found", want))
		return
	}
	list := []evoFetched{}
	for _, name := range e.sortedNames() {
		inst := e.instances[name]
		if (want != "" && name != want) || (!global && (key == "" || key != inst.token)) {
			continue
		}
		list = append(list, e.fetched(inst))
	}
	if !global && len(list) == 0 { // an instance token that matches nothing
		c.fail(http.StatusUnauthorized)
		return
	}
	c.reply(http.StatusOK, list)
}

func (e *Evolution) logout(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	if inst.state == StateClose {
		c.fail(http.StatusBadRequest, fmt.Sprintf("The %q instance is not connected", inst.name))
		return
	}
	e.closeSession(inst, 401) // DisconnectReason.loggedOut
	c.reply(http.StatusOK, evoSuccess("Instance logged out"))
}

func (e *Evolution) deleteInstance(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	if inst.state != StateClose {
		e.closeSession(inst, 401)
	}
	e.emit(inst, "instance.delete", object{{"instanceName", inst.name}, {"instanceId", inst.id}})
	delete(e.instances, inst.name)
	c.reply(http.StatusOK, evoSuccess("Instance deleted"))
}

func evoSuccess(message string) object {
	return object{{"status", "SUCCESS"}, {"error", false}, {"response", object{{"message", message}}}}
}

// closeSession ends the WhatsApp session with a Baileys disconnect code
// and reports it the way Evolution does for codes it does not reconnect
// on (401 logged out, 403 forbidden, 402, 406).
func (e *Evolution) closeSession(inst *evoInstance, code int) {
	now := e.now()
	inst.state, inst.statusReason, inst.updatedAt = StateClose, code, now
	inst.disconnectedAt, inst.disconnectCode = &now, &code
	inst.qr = evoQR{}
	e.emit(inst, "connection.update", evoConnectionUpdate{Instance: inst.name, State: StateClose, StatusReason: code})
}
