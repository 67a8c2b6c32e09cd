package providersim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
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
		e.startConnecting(inst)
		// createInstance: connectToWhatsapp, then delay(5000), then the QR
		// as it is at that moment (possibly none yet).
		if !e.wait(c, e.opts.CreateDelay) {
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

// wait releases e.mu for d, as an awaited delay() in Evolution lets other
// requests run, and reports false when the client went away meanwhile.
// It is called with e.mu held and returns with it held; the caller must
// re-read any state it cares about.
func (e *Evolution) wait(c *evoCall, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	e.mu.Unlock()
	defer e.mu.Lock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.r.Context().Done():
		return false
	case <-e.closed:
		return true
	}
}

// later runs fn with e.mu held after d, unless the instance has moved on
// (deleted, re-created, or another connect or disconnect began): the
// generation counter is Baileys' socket, and a new socket abandons the
// old one's timers.
func (e *Evolution) later(inst *evoInstance, d time.Duration, fn func()) {
	gen := inst.gen
	time.AfterFunc(d, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		select {
		case <-e.closed:
			return
		default:
		}
		if e.instances[inst.name] != inst || inst.gen != gen {
			return
		}
		fn()
	})
}

// startConnecting plays Baileys opening a socket: "close" moves to
// "connecting" (with its connection.update) and the first QR follows
// after FirstQRDelay. Called with e.mu held.
func (e *Evolution) startConnecting(inst *evoInstance) {
	if inst.state != StateClose {
		return
	}
	inst.gen++
	inst.state, inst.statusReason, inst.qr, inst.updatedAt = StateConnecting, 200, evoQR{}, e.now()
	e.emit(inst, "connection.update", evoConnectionUpdate{Instance: inst.name, State: inst.state, StatusReason: inst.statusReason})
	switch d := e.opts.FirstQRDelay; {
	case d == 0:
		e.newQR(inst)
	case d > 0:
		e.later(inst, d, func() { e.newQR(inst) })
	}
}

// newQR is Baileys' next QR while the session waits to be paired,
// reported as qrcode.updated. At QRCODE_LIMIT the attempt ends instead:
// a qrcode.updated without a QR, connection.update "refused", and the
// instance closes. Called with e.mu held.
func (e *Evolution) newQR(inst *evoInstance) {
	if inst.state != StateConnecting {
		return
	}
	if inst.qr.Count >= e.opts.QRCodeLimit {
		e.emit(inst, "qrcode.updated", object{{"message", "QR code limit reached, please login again"}, {"statusCode", 500}})
		e.emit(inst, "connection.update", evoConnectionRefused{Instance: inst.name, State: StateRefused, StatusReason: 428,
			WUID: strOrNil(inst.ownerJID), ProfileName: strOrNil(inst.profileName)})
		inst.gen++ // endSession: the socket is dropped, its timers die
		inst.state, inst.statusReason, inst.qr, inst.updatedAt = StateClose, 428, evoQR{}, e.now()
		return
	}
	// Baileys' QR payload: ref, noise public key, identity public key and
	// adv secret, joined by commas.
	code := "2@" + randomFrom(base62+"+/", 86) + "," + b64(32) + "," + b64(32) + "," + b64(32)
	png, err := e.renderQR(code)
	if err != nil { // qrcode.toDataURL failing: Evolution logs it and sends nothing
		return
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
	if e.opts.QRRefresh > 0 {
		e.later(inst, e.opts.QRRefresh, func() { e.newQR(inst) })
	}
}

// b64 is n random bytes in standard base64, like the keys in a QR payload.
func b64(n int) string { return base64.StdEncoding.EncodeToString(randomBytes(n)) }

// connect is InstanceController.connectToWhatsapp: "open" reports the
// state, "connecting" hands out the current QR, "close" starts a socket,
// waits 2 s and hands out whatever QR there is by then. An exception
// inside answers HTTP 200 {error:true, message}.
func (e *Evolution) connect(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	if msg := inst.connectError; msg != "" {
		inst.connectError = ""
		c.reply(http.StatusOK, object{{"error", true}, {"message", msg}})
		return
	}
	switch inst.state {
	case StateOpen:
		c.reply(http.StatusOK, evoStateBody(inst))
		return
	case StateConnecting:
		c.reply(http.StatusOK, inst.qr)
		return
	}
	if n := digitsOnly(c.r.URL.Query().Get("number")); n != "" {
		inst.number = n
	}
	e.startConnecting(inst)
	if !e.wait(c, e.opts.ConnectDelay) {
		return
	}
	c.reply(http.StatusOK, inst.qr)
}

// FailNextConnect makes the next GET /instance/connect of instance answer
// HTTP 200 {"error":true,"message":message}, as Evolution does when
// starting the socket throws.
func (e *Evolution) FailNextConnect(instance, message string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	inst := e.instances[instance]
	if inst == nil {
		return fmt.Errorf("providersim: no Evolution instance %q", instance)
	}
	inst.connectError = message
	return nil
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

// codesToNotReconnect are the Baileys disconnect codes after which
// Evolution gives the session up: logged out, forbidden, 402, 406.
var codesToNotReconnect = []int{401, 402, 403, 406}

// dropSession is Baileys closing the socket with code: Evolution gives up
// on the codes above (closeSession) and otherwise reconnects silently
// after ReconnectDelay, reporting "connecting" and then "open" but never
// "close"; connectionState answers "close" meanwhile. Called with e.mu held.
func (e *Evolution) dropSession(inst *evoInstance, code int) {
	if slices.Contains(codesToNotReconnect, code) {
		e.closeSession(inst, code)
		return
	}
	inst.gen++
	inst.state, inst.statusReason, inst.updatedAt, inst.qr = StateClose, code, e.now(), evoQR{}
	reconnect := func() {
		if inst.ownerJID == "" { // never paired: the new socket asks for a QR again
			e.startConnecting(inst)
			return
		}
		inst.gen++
		inst.state, inst.statusReason, inst.updatedAt = StateConnecting, 200, e.now()
		e.emit(inst, "connection.update", evoConnectionUpdate{Instance: inst.name, State: StateConnecting, StatusReason: 200})
		e.openSession(inst)
	}
	if e.opts.ReconnectDelay <= 0 {
		reconnect()
		return
	}
	e.later(inst, e.opts.ReconnectDelay, reconnect)
}

// openSession is the paired socket opening: connection.update "open"
// with the owner's JID and profile. Called with e.mu held.
func (e *Evolution) openSession(inst *evoInstance) {
	inst.state, inst.statusReason, inst.updatedAt, inst.qr = StateOpen, 200, e.now(), evoQR{}
	e.emit(inst, "connection.update", evoConnectionOpen{Instance: inst.name, WUID: inst.ownerJID,
		ProfileName: inst.profileName, State: StateOpen, StatusReason: 200})
}

// closeSession ends the WhatsApp session with a Baileys disconnect code
// and reports it the way Evolution does for codes it does not reconnect
// on: status.instance "closed", then connection.update "close".
func (e *Evolution) closeSession(inst *evoInstance, code int) {
	now := e.now()
	inst.gen++
	inst.state, inst.statusReason, inst.updatedAt = StateClose, code, now
	inst.disconnectedAt, inst.disconnectCode = &now, &code
	inst.qr = evoQR{}
	e.emit(inst, "status.instance", object{{"instance", inst.name}, {"status", "closed"},
		{"disconnectionAt", jsTime(now)}, {"disconnectionReasonCode", code},
		{"disconnectionObject", fmt.Sprintf(`{"error":{"data":null,"isBoom":true,"isServer":false,"output":{"statusCode":%d,"payload":{"statusCode":%d,"error":"%s","message":"Connection Failure"},"headers":{}}},"date":"%s"}`,
			code, code, http.StatusText(code), jsTime(now))}})
	e.emit(inst, "connection.update", evoConnectionUpdate{Instance: inst.name, State: StateClose, StatusReason: code})
}
