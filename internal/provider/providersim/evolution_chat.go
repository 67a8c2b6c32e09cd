package providersim

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The chat helpers (src/api/routes/chat.router.ts) the gateway uses.

type evoNumbers struct {
	Numbers []string `json:"numbers"`
}

// whatsappNumbers answers, for each number, whether it has an account and
// under which JID (Brazil: the form WhatsApp knows, whichever was asked).
func (e *Evolution) whatsappNumbers(c *evoCall) {
	inst := e.guard(c)
	var in evoNumbers
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.Numbers == nil {
		c.badSchema(`instance requires property "numbers"`)
		return
	}
	out := []object{}
	for _, n := range in.Numbers {
		jid := createJid(n)
		exists := true
		if strings.HasSuffix(jid, jidUser) {
			jid, exists = e.onWhatsApp(jidUserPart(jid))
		}
		out = append(out, object{{"exists", exists}, {"jid", jid}, {"number", n}})
	}
	c.reply(http.StatusOK, out)
}

type evoKeyRef struct {
	RemoteJID   string `json:"remoteJid"`
	FromMe      bool   `json:"fromMe"`
	ID          string `json:"id"`
	Participant string `json:"participant"`
}

type evoReadMessages struct {
	ReadMessages []evoKeyRef `json:"readMessages"`
}

// markMessageAsRead sends the business's read receipts: the customer's
// phone shows the blue ticks (see the phone page).
func (e *Evolution) markMessageAsRead(c *evoCall) {
	inst := e.guard(c)
	var in evoReadMessages
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if len(in.ReadMessages) == 0 {
		c.badSchema(`instance requires property "readMessages"`)
		return
	}
	for _, k := range in.ReadMessages {
		if m := inst.msgs[k.ID]; m != nil && !m.key.FromMe {
			m.readByBusiness = true
		}
	}
	c.reply(http.StatusCreated, object{{"message", "Read messages"}, {"read", "success"}})
}

type evoMediaRequest struct {
	Message *struct {
		Key *struct {
			ID string `json:"id"`
		} `json:"key"`
	} `json:"message"`
	ConvertToMp4 bool `json:"convertToMp4"`
}

// getBase64FromMediaMessage hands out a media message's bytes.
func (e *Evolution) getBase64FromMediaMessage(c *evoCall) {
	inst := e.guard(c)
	var in evoMediaRequest
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.Message == nil || in.Message.Key == nil || in.Message.Key.ID == "" {
		c.badSchema(`instance requires property "message" with key.id`)
		return
	}
	m := inst.msgs[in.Message.Key.ID]
	if m == nil || m.media == nil {
		c.fail(http.StatusBadRequest, "Message not found")
		return
	}
	content, _ := objectGet(m.message, m.messageType).(object)
	height, _ := objectGet(content, "height").(int)
	width, _ := objectGet(content, "width").(int)
	fileName := m.fileName
	if fileName == "" {
		fileName = m.key.ID + "." + evoMediaKinds[kindOf(m.messageType, m.ptt)].ext
	}
	out := object{{"mediaType", m.messageType}, {"fileName", fileName}}
	if m.caption != "" {
		out = append(out, kv{"caption", m.caption})
	}
	out = append(out, kv{"size", object{{"fileLength", strconv.Itoa(len(m.media))}, {"height", height}, {"width", width}}},
		kv{"mimetype", m.mime}, kv{"base64", base64.StdEncoding.EncodeToString(m.media)})
	c.reply(http.StatusCreated, out)
}

func kindOf(messageType string, ptt bool) string {
	for k, v := range evoMediaKinds {
		if v.key == messageType && (messageType != "audioMessage" || (k == "ptt") == ptt) {
			return k
		}
	}
	return "document"
}

// deleteMessageForEveryone revokes a message the business sent: the
// answer is the revoke (a protocolMessage), and the customer's phone
// shows "This message was deleted".
func (e *Evolution) deleteMessageForEveryone(c *evoCall) {
	inst := e.guard(c)
	var in evoKeyRef
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.ID == "" || in.RemoteJID == "" {
		c.badSchema(`instance requires property "id" and "remoteJid"`)
		return
	}
	if inst.state != StateOpen {
		c.fail(http.StatusBadRequest, "Connection Closed")
		return
	}
	if t := inst.msgs[in.ID]; t != nil {
		if !t.key.FromMe {
			c.fail(http.StatusBadRequest, "You can only delete messages sent by you")
			return
		}
		t.deleted = true
	}
	m := e.outgoing(inst, in.RemoteJID, nil)
	m.messageType = "protocolMessage"
	m.message = object{{"protocolMessage", object{{"key", evoKey{RemoteJID: in.RemoteJID, FromMe: in.FromMe, ID: in.ID, Participant: in.Participant}},
		{"type", "REVOKE"}}}}
	e.storeMsg(inst, m)
	e.logSent(inst, EvolutionSend{ID: m.key.ID, Number: in.RemoteJID, To: in.RemoteJID, Type: "delete", Target: in.ID,
		Status: "PENDING", At: jsTime(m.at)})
	c.reply(http.StatusCreated, e.raw(inst, m, "PENDING", false))
}

type evoUpdateMessage struct {
	Number string     `json:"number"`
	Key    *evoKeyRef `json:"key"`
	Text   string     `json:"text"`
}

// updateMessage edits a text the business sent (WhatsApp allows 15
// minutes; the simulator does not count).
func (e *Evolution) updateMessage(c *evoCall) {
	inst := e.guard(c)
	var in evoUpdateMessage
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.Number == "" || in.Key == nil || in.Key.ID == "" || in.Text == "" {
		c.badSchema(`instance requires property "number", "key" and "text"`)
		return
	}
	jid, ok := e.sendTarget(c, inst, in.Number)
	if !ok {
		return
	}
	t := inst.msgs[in.Key.ID]
	if t == nil || !t.key.FromMe || t.messageType != "conversation" {
		c.fail(http.StatusBadRequest, "Message not found or not editable")
		return
	}
	t.text, t.edited = in.Text, true
	t.message = object{{"conversation", in.Text}}
	m := e.outgoing(inst, jid, nil)
	m.messageType = "protocolMessage"
	m.message = object{{"protocolMessage", object{{"key", t.key}, {"type", "MESSAGE_EDIT"},
		{"editedMessage", object{{"conversation", in.Text}}}, {"timestampMs", strconv.FormatInt(m.at.UnixMilli(), 10)}}}}
	e.storeMsg(inst, m)
	e.logSent(inst, EvolutionSend{ID: m.key.ID, Number: in.Number, To: jid, Type: "edit", Text: in.Text, Target: in.Key.ID,
		Status: "PENDING", At: jsTime(m.at)})
	c.reply(http.StatusCreated, e.raw(inst, m, "PENDING", false))
}

type evoPresence struct {
	Number   string `json:"number"`
	Delay    int    `json:"delay"`
	Presence string `json:"presence"`
}

var evoPresences = []string{"available", "unavailable", "composing", "recording", "paused"}

// sendPresence shows typing (or recording) to a chat for delay ms.
func (e *Evolution) sendPresence(c *evoCall) {
	inst := e.guard(c)
	var in evoPresence
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.Number == "" || !slices.Contains(evoPresences, in.Presence) {
		c.badSchema(`presence is not one of enum values: ` + "available,unavailable,composing,recording,paused")
		return
	}
	jid, ok := e.sendTarget(c, inst, in.Number)
	if !ok {
		return
	}
	e.setPresence(inst, jid, in.Presence)
	e.logPresence(inst, EvolutionPresence{Number: in.Number, To: jid, Presence: in.Presence, Delay: in.Delay, At: jsTime(e.now())})
	if in.Delay > 0 {
		if !e.wait(c, min(time.Duration(in.Delay)*time.Millisecond, e.opts.MaxDelay)) {
			return
		}
		if e.instances[inst.name] == inst {
			e.setPresence(inst, jid, "paused")
		}
	}
	c.reply(http.StatusCreated, object{{"presence", in.Presence}})
}
