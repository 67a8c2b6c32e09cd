package providersim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
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

type evoInboundBody struct {
	From     string `json:"from"` // phone digits, or a full JID (…@s.whatsapp.net, …@lid, …@g.us)
	Text     string `json:"text"`
	PushName string `json:"push_name"`
	FromMe   bool   `json:"from_me"` // a message the owner sent from the phone
	ID       string `json:"id"`      // WhatsApp message id; random when empty
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
	inst.state, inst.statusReason, inst.updatedAt = StateOpen, 200, e.now()
	inst.ownerJID, inst.profileName, inst.number, inst.qr = number+"@s.whatsapp.net", in.ProfileName, number, evoQR{}
	e.emit(inst, "connection.update", evoConnectionOpen{Instance: inst.name, WUID: inst.ownerJID,
		ProfileName: inst.profileName, State: StateOpen, StatusReason: 200})
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
	e.closeSession(inst, in.StatusReason)
	c.reply(http.StatusOK, object{{"instance", inst.name}, {"state", inst.state}})
}

func (e *Evolution) simMessage(c *evoCall) {
	inst := e.simInstance(c)
	var in evoInboundBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	jid := in.From
	if !strings.Contains(jid, "@") {
		if d := digitsOnly(jid); len(d) >= 8 && len(d) <= 15 {
			jid = d + "@s.whatsapp.net"
		} else {
			jid = ""
		}
	}
	switch {
	case jid == "" || in.Text == "":
		c.reply(http.StatusBadRequest, simError(`"from" (8-15 digits or a JID) and "text" are required`))
		return
	case inst.state != StateOpen:
		c.reply(http.StatusConflict, simError("instance is "+inst.state+": a closed session receives nothing"))
		return
	}
	var m evoMessage
	m.Key.RemoteJID, m.Key.FromMe, m.Key.ID = jid, in.FromMe, in.ID
	if m.Key.ID == "" {
		m.Key.ID = "3A" + strings.ToUpper(randomHex(9))
	}
	m.PushName, m.Status = in.PushName, "DELIVERY_ACK"
	if m.PushName == "" {
		m.PushName = "Sim Contact"
	}
	if in.FromMe {
		m.PushName, m.Status = inst.profileName, "SERVER_ACK"
	}
	m.Message.Conversation, m.MessageType = in.Text, "conversation"
	m.MessageTimestamp, m.InstanceID, m.Source = e.now().Unix(), inst.id, "android"
	e.emit(inst, "messages.upsert", m)
	c.reply(http.StatusCreated, m)
}
