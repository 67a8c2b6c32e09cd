package providersim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The world writing to the business: POST /_sim/instances/{name}/messages
// makes a contact (or the owner, from the phone) send any message type,
// as messages.upsert in Evolution's real shape.

type evoInboundBody struct {
	From      string   `json:"from"`      // the customer: digits (Brazil: as typed, either form) or a JID; in a group, the participant
	Type      string   `json:"type"`      // text (default), image, video, document, sticker, audio, ptt, location, contact, reaction
	Text      string   `json:"text"`      // the text, a media caption, a location's name, a reaction's emoji ("" removes it)
	PushName  string   `json:"push_name"` // the contact's WhatsApp name
	FromMe    bool     `json:"from_me"`   // the owner wrote it on the phone
	ID        string   `json:"id"`        // the WhatsApp message id; generated for the device when empty
	Device    string   `json:"device"`    // android (default), ios or web: the id's shape and "source"
	Media     string   `json:"media"`     // base64 of the file; a small placeholder when empty
	Mimetype  string   `json:"mimetype"`  // the file's type; default by kind
	FileName  string   `json:"file_name"` // documents
	Quoted    string   `json:"quoted"`    // the id of the message this replies to
	ReactTo   string   `json:"react_to"`  // reactions: the id of the message reacted to
	Group     string   `json:"group"`     // a group JID (…@g.us): the message is in that group
	LID       string   `json:"lid"`       // the contact's LID (digits or …@lid): the chat is addressed by it
	Broadcast bool     `json:"broadcast"` // a status post (status@broadcast)
	Latitude  *float64 `json:"latitude"`  // location
	Longitude *float64 `json:"longitude"` // location
	Address   string   `json:"address"`   // location
	Contact   string   `json:"contact"`   // contact card: the name
	Phone     string   `json:"phone"`     // contact card: the number
	Timestamp int64    `json:"timestamp"` // unix seconds; default now
}

var inboundTypes = []string{"text", "image", "video", "document", "sticker", "audio", "ptt", "location", "contact", "reaction"}

// customerJID is the JID WhatsApp gives a number: its canonical form.
func customerJID(from string) (string, error) {
	if strings.Contains(from, "@") {
		return from, nil
	}
	d := digitsOnly(from)
	if len(d) < 8 || len(d) > 15 {
		return "", fmt.Errorf(`"from" must be 8 to 15 digits or a JID`)
	}
	return canonicalBR(d) + jidUser, nil
}

// inboundKey addresses a message the way the Evolution version played
// does (see Options.EvolutionVersion).
func (e *Evolution) inboundKey(in evoInboundBody, pn string) (evoKey, error) {
	lid := ""
	if in.LID != "" {
		lid = in.LID
		if !strings.HasSuffix(lid, jidLID) {
			lid = digitsOnly(lid) + jidLID
		}
	}
	lidMode := lid != "" && e.lidAddressing()
	k := evoKey{FromMe: in.FromMe}
	switch {
	case in.Broadcast || in.Group != "":
		k.RemoteJID = jidBroadcast
		if in.Group != "" {
			if !strings.HasSuffix(in.Group, jidGroup) {
				return k, fmt.Errorf(`"group" must be a JID ending in @g.us`)
			}
			k.RemoteJID = in.Group
		}
		k.Participant = pn
		if lidMode {
			k.Participant, k.ParticipantAlt, k.AddressingMode = lid, pn, "lid"
		}
	case lidMode:
		k.RemoteJID, k.RemoteJIDAlt, k.AddressingMode = lid, pn, "lid"
	case lid != "": // 2.3.0–2.3.4 rewrote the chat to the phone JID
		k.RemoteJID, k.PreviousRemoteJID = pn, lid
	default:
		k.RemoteJID = pn
	}
	return k, nil
}

// lidAddressing reports whether the version played keeps @lid chats as
// such (2.3.5 and later).
func (e *Evolution) lidAddressing() bool {
	parts := strings.Split(e.opts.EvolutionVersion, ".")
	n := make([]int, 3)
	for i := 0; i < 3 && i < len(parts); i++ {
		n[i], _ = strconv.Atoi(parts[i])
	}
	return n[0] > 2 || (n[0] == 2 && (n[1] > 3 || (n[1] == 3 && n[2] >= 5)))
}

func (e *Evolution) simMessage(c *evoCall) {
	inst := e.simInstance(c)
	var in evoInboundBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	m, err := e.inbound(inst, in)
	if err != nil {
		c.reply(http.StatusBadRequest, simError(err.Error()))
		return
	}
	if inst.state != StateOpen {
		c.reply(http.StatusConflict, simError("instance is "+inst.state+": a closed session receives nothing"))
		return
	}
	e.storeMsg(inst, m)
	wantBase64 := inst.webhook != nil && inst.webhook.WebhookBase64
	e.emitChat(inst, "messages.upsert", m.key.RemoteJID, e.raw(inst, m, m.status, wantBase64))
	c.reply(http.StatusCreated, e.raw(inst, m, m.status, false))
}

// inbound builds the received message from a /_sim/ body. Called with e.mu held.
func (e *Evolution) inbound(inst *evoInstance, in evoInboundBody) (*evoMsg, error) {
	if in.Type == "" {
		in.Type = "text"
	}
	if !slices.Contains(inboundTypes, in.Type) {
		return nil, fmt.Errorf(`"type" must be one of %s`, strings.Join(inboundTypes, ", "))
	}
	pn, err := customerJID(in.From)
	if err != nil {
		return nil, err
	}
	if in.Device == "" {
		in.Device = "android"
	}
	if in.ID == "" {
		in.ID = newMessageID(in.Device)
	}
	if inst.msgs[in.ID] != nil {
		return nil, fmt.Errorf("message id %s is taken", in.ID)
	}
	key, err := e.inboundKey(in, pn)
	if err != nil {
		return nil, err
	}
	key.ID = in.ID
	now := e.now()
	m := &evoMsg{key: key, pushName: in.PushName, status: "DELIVERY_ACK", timestamp: now.Unix(), source: deviceOf(in.ID), at: now}
	if in.Timestamp > 0 {
		m.timestamp = in.Timestamp
	}
	if m.pushName == "" {
		m.pushName = "Sim Contact"
	}
	if in.FromMe {
		m.pushName, m.status = inst.profileName, "SERVER_ACK"
	}
	switch in.Type {
	case "text":
		if in.Text == "" {
			return nil, fmt.Errorf(`"text" is required for a text message`)
		}
		m.messageType, m.message, m.text = "conversation", object{{"conversation", in.Text}}, in.Text
	case "location":
		if in.Latitude == nil || in.Longitude == nil {
			return nil, fmt.Errorf(`"latitude" and "longitude" are required for a location`)
		}
		m.messageType = "locationMessage"
		m.message = object{{"locationMessage", object{{"degreesLatitude", *in.Latitude}, {"degreesLongitude", *in.Longitude},
			{"name", in.Text}, {"address", in.Address}}}}
		m.text = fmt.Sprintf("%g,%g %s", *in.Latitude, *in.Longitude, in.Text)
	case "contact":
		if in.Contact == "" || in.Phone == "" {
			return nil, fmt.Errorf(`"contact" and "phone" are required for a contact card`)
		}
		m.messageType = "contactMessage"
		m.message = object{{"contactMessage", object{{"displayName", in.Contact},
			{"vcard", vcard(evoContactCard{FullName: in.Contact, PhoneNumber: in.Phone})}}}}
		m.text = in.Contact + " " + in.Phone
	case "reaction":
		if in.ReactTo == "" {
			return nil, fmt.Errorf(`"react_to" is required for a reaction`)
		}
		target := evoKey{RemoteJID: key.RemoteJID, ID: in.ReactTo}
		if t := inst.msgs[in.ReactTo]; t != nil {
			target = t.key
			t.emoji = in.Text
		}
		m.messageType = "reactionMessage"
		m.message = object{{"reactionMessage", object{{"key", target}, {"text", in.Text},
			{"senderTimestampMs", strconv.FormatInt(now.UnixMilli(), 10)}}}}
		m.reactionTo, m.emoji = in.ReactTo, in.Text
	default: // media
		data := placeholderMedia(in.Type)
		if in.Media != "" {
			if data, err = base64.StdEncoding.DecodeString(in.Media); err != nil {
				return nil, fmt.Errorf(`"media" must be base64`)
			}
		}
		content := mediaContent(in.Type, in.Mimetype, in.Text, in.FileName, data, now)
		m.messageType = evoMediaKinds[in.Type].key
		m.message = object{{m.messageType, content}}
		m.media, m.mime, m.fileName, m.caption, m.ptt = data, objectGet(content, "mimetype").(string), in.FileName, in.Text, in.Type == "ptt"
		if name, isStr := objectGet(content, "fileName").(string); isStr {
			m.fileName = name
		}
	}
	if in.Quoted != "" {
		if q := inst.msgs[in.Quoted]; q != nil {
			m.contextInfo = quoteContext(inst, q)
		} else {
			m.contextInfo = object{{"stanzaId", in.Quoted}, {"participant", inst.ownerJID}, {"quotedMessage", object{{"conversation", ""}}}}
		}
	}
	return m, nil
}

type evoEditBody struct {
	ID   string `json:"id"`   // the message edited
	Text string `json:"text"` // its new text
}

// simEdit is the author editing a message: messages.edited with the
// protocolMessage (type MESSAGE_EDIT), never messages.upsert.
func (e *Evolution) simEdit(c *evoCall) {
	inst := e.simInstance(c)
	var in evoEditBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	t := inst.msgs[in.ID]
	if t == nil || in.Text == "" || t.messageType != "conversation" {
		c.reply(http.StatusBadRequest, simError(`"id" of a stored text message and the new "text" are required`))
		return
	}
	t.text, t.edited, t.message = in.Text, true, object{{"conversation", in.Text}}
	e.emitChat(inst, "messages.edited", t.key.RemoteJID, object{{"key", t.key}, {"type", "MESSAGE_EDIT"},
		{"editedMessage", object{{"conversation", in.Text}}}, {"timestampMs", strconv.FormatInt(e.now().UnixMilli(), 10)}})
	c.reply(http.StatusOK, object{{"id", in.ID}, {"text", in.Text}})
}

type evoDeleteBody struct {
	ID string `json:"id"` // the message deleted for everyone
}

// simDelete is the author deleting a message for everyone: the revoke
// goes out as messages.edited (type REVOKE) and then messages.delete with
// the key.
func (e *Evolution) simDelete(c *evoCall) {
	inst := e.simInstance(c)
	var in evoDeleteBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	t := inst.msgs[in.ID]
	if t == nil {
		c.reply(http.StatusNotFound, simError("no message "+in.ID))
		return
	}
	t.deleted = true
	e.emitChat(inst, "messages.edited", t.key.RemoteJID, object{{"key", t.key}, {"type", "REVOKE"},
		{"timestampMs", strconv.FormatInt(e.now().UnixMilli(), 10)}})
	e.emitChat(inst, "messages.delete", t.key.RemoteJID, t.key)
	c.reply(http.StatusOK, object{{"id", in.ID}, {"deleted", true}})
}

type evoAckBody struct {
	ID     string `json:"id"`
	Status string `json:"status"` // SERVER_ACK, DELIVERY_ACK, READ, PLAYED
}

// simAck is the customer's phone receiving, reading or playing a message
// the business sent.
func (e *Evolution) simAck(c *evoCall) {
	inst := e.simInstance(c)
	var in evoAckBody
	if inst == nil || !decodeSim(c.w, c.body, &in) {
		return
	}
	m := inst.msgs[in.ID]
	if m == nil || !m.key.FromMe || ackRank(in.Status) < 1 {
		c.reply(http.StatusBadRequest, simError(`"id" of a sent message and "status" (SERVER_ACK, DELIVERY_ACK, READ, PLAYED) are required`))
		return
	}
	e.ack(inst, m, in.Status)
	c.reply(http.StatusOK, object{{"id", in.ID}, {"status", m.status}})
}

type evoNumberBody struct {
	Number string `json:"number"`
	Exists bool   `json:"exists"`
}

// simNumber sets whether a number has a WhatsApp account.
func (e *Evolution) simNumber(c *evoCall) {
	var in evoNumberBody
	if !decodeSim(c.w, c.body, &in) {
		return
	}
	d := digitsOnly(in.Number)
	if len(d) < 8 || len(d) > 15 {
		c.reply(http.StatusBadRequest, simError(`"number" must be 8 to 15 digits`))
		return
	}
	e.setOnWhatsApp(d, in.Exists)
	c.reply(http.StatusOK, object{{"number", d}, {"exists", in.Exists}})
}
