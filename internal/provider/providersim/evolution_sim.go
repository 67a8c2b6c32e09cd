package providersim

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// The /_sim/ endpoints play the world outside Evolution: the phone that
// scans the QR code, the session dropping, a contact writing. Their bodies
// are ours, so unknown fields are rejected.

type evoScanBody struct {
	Number      string `json:"number"`       // owner's phone; default: the instance's number or a generated one
	ProfileName string `json:"profile_name"` // WhatsApp push name of the owner
}

type evoDisconnectBody struct {
	StatusReason int `json:"status_reason"` // Baileys DisconnectReason; default 401 (logged out)
}

// decodeSim parses a /_sim/ body strictly; an empty body is the zero value.
func decodeSim(w http.ResponseWriter, body []byte, v any) bool {
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, simError("invalid body: "+err.Error()))
		return false
	}
	return true
}

func simError(msg string) map[string]string { return map[string]string{"error": msg} }

func (e *Evolution) simInstance(c *evoCall) *evoInstance {
	inst := e.instances[c.params["instance"]]
	if inst == nil {
		c.reply(http.StatusNotFound, simError("no instance "+c.params["instance"]))
	}
	return inst
}

func (e *Evolution) simScan(c *evoCall) {
	inst := e.simInstance(c)
	var in evoScanBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	if inst.state != StateConnecting {
		c.reply(http.StatusConflict, simError("instance is "+inst.state+", not waiting for a QR scan"))
		return
	}
	number := digitsOnly(in.Number)
	if number == "" {
		number = inst.number
	}
	if number == "" {
		number = "55119" + randomDigits(8)
	}
	if in.ProfileName == "" {
		in.ProfileName = "WhatPro Sim"
	}
	if inst.qr.Count == 0 {
		c.reply(http.StatusConflict, simError("no QR code is shown yet: POST /_sim/instances/"+inst.name+"/qr first"))
		return
	}
	inst.gen++
	inst.ownerJID, inst.profileName, inst.number = number+"@s.whatsapp.net", in.ProfileName, number
	e.openSession(inst)
	c.reply(http.StatusOK, object{{"instance", inst.name}, {"state", inst.state}, {"wuid", inst.ownerJID}})
}

func (e *Evolution) simDisconnect(c *evoCall) {
	inst := e.simInstance(c)
	var in evoDisconnectBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	if inst.state == StateClose {
		c.reply(http.StatusConflict, simError("instance is already close"))
		return
	}
	if in.StatusReason == 0 {
		in.StatusReason = 401
	}
	e.dropSession(inst, in.StatusReason)
	c.reply(http.StatusOK, object{{"instance", inst.name}, {"state", inst.state}})
}

// simQR makes Baileys show the next QR now (the first one, or a rotation),
// which reaches the QR limit after QRCODE_LIMIT of them.
func (e *Evolution) simQR(c *evoCall) {
	inst := e.simInstance(c)
	if inst == nil || !decodeSim(c.w, c.body, &struct{}{}) {
		return
	}
	if inst.state != StateConnecting {
		c.reply(http.StatusConflict, simError("instance is "+inst.state+", not waiting for a QR scan"))
		return
	}
	e.newQR(inst)
	c.reply(http.StatusOK, object{{"instance", inst.name}, {"state", inst.state}, {"count", inst.qr.Count}})
}

type evoConnectErrorBody struct {
	Message string `json:"message"`
}

// simConnectError makes the next connect answer HTTP 200 {error:true}.
func (e *Evolution) simConnectError(c *evoCall) {
	inst := e.simInstance(c)
	var in evoConnectErrorBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	if in.Message == "" {
		in.Message = "Connection Closed"
	}
	inst.connectError = in.Message
	c.reply(http.StatusOK, object{{"instance", inst.name}, {"connect_error", in.Message}})
}
