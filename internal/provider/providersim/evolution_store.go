package providersim

import (
	"fmt"
	"net/http"
	"slices"
)

// EvolutionSend is one message the hub sent through an instance, as
// GET /_sim/instances/{name}/sent lists it, oldest first.
type EvolutionSend struct {
	ID     string          `json:"id"`     // key.id, the provider message id
	Number string          `json:"number"` // as the hub wrote it
	To     string          `json:"to"`     // the JID it went to (Brazil: after createJid)
	Type   string          `json:"type"`   // text, image, video, audio, ptt, document, sticker, location, contact, reaction, edit, delete
	Text   string          `json:"text,omitempty"`
	Media  *EvolutionMedia `json:"media,omitempty"`
	Quoted string          `json:"quoted,omitempty"` // the id it replies to
	Target string          `json:"target,omitempty"` // reaction, edit, delete: the id acted on
	Status string          `json:"status"`           // the ack it has reached
	At     string          `json:"at"`
}

// EvolutionMedia is what a media send carried.
type EvolutionMedia struct {
	URL      string `json:"url,omitempty"` // when sent by URL
	Mimetype string `json:"mimetype"`
	FileName string `json:"file_name,omitempty"`
	Size     int    `json:"size"`
}

// storeMsg keeps m, dropping the oldest beyond MessageRetention. Called
// with e.mu held.
func (e *Evolution) storeMsg(inst *evoInstance, m *evoMsg) {
	if inst.msgs == nil {
		inst.msgs = map[string]*evoMsg{}
	}
	if m.dbID == "" {
		m.dbID = "cm" + randomFrom("abcdefghijklmnopqrstuvwxyz0123456789", 23) // Prisma cuid
	}
	inst.msgs[m.key.ID] = m
	inst.msgOrder = append(inst.msgOrder, m.key.ID)
	if n := len(inst.msgOrder); n > e.opts.MessageRetention {
		for _, id := range inst.msgOrder[:n-e.opts.MessageRetention] {
			delete(inst.msgs, id)
		}
		inst.msgOrder = slices.Clone(inst.msgOrder[n-e.opts.MessageRetention:])
	}
}

// logSent records a send. Called with e.mu held.
func (e *Evolution) logSent(inst *evoInstance, s EvolutionSend) {
	inst.sent = append(inst.sent, s)
	if n := len(inst.sent); n >= 2*e.opts.SentLog {
		inst.sent = slices.Clone(inst.sent[n-e.opts.SentLog:])
	}
}

// EvolutionPresence is one sendPresence call (typing or recording shown
// to a chat for Delay ms).
type EvolutionPresence struct {
	Number   string `json:"number"` // as the hub wrote it
	To       string `json:"to"`     // the JID it went to
	Presence string `json:"presence"`
	Delay    int    `json:"delay"`
	At       string `json:"at"` // when the call came in
}

func (e *Evolution) logPresence(inst *evoInstance, p EvolutionPresence) {
	inst.presences = append(inst.presences, p)
	if n := len(inst.presences); n >= 2*e.opts.SentLog {
		inst.presences = slices.Clone(inst.presences[n-e.opts.SentLog:])
	}
}

// Presences lists the presence updates the hub sent through an
// instance, oldest first.
func (e *Evolution) Presences(instance string) []EvolutionPresence {
	e.mu.Lock()
	defer e.mu.Unlock()
	if inst := e.instances[instance]; inst != nil {
		return slices.Clone(inst.presences)
	}
	return nil
}

func (e *Evolution) simPresences(c *evoCall) {
	inst := e.simInstance(c)
	if inst == nil {
		return
	}
	list := inst.presences
	if list == nil {
		list = []EvolutionPresence{}
	}
	c.reply(http.StatusOK, map[string]any{"data": list})
}

// Sent lists what the hub sent through an instance, oldest first.
func (e *Evolution) Sent(instance string) []EvolutionSend {
	e.mu.Lock()
	defer e.mu.Unlock()
	if inst := e.instances[instance]; inst != nil {
		return slices.Clone(inst.sent)
	}
	return nil
}

func (e *Evolution) simSent(c *evoCall) {
	inst := e.simInstance(c)
	if inst == nil {
		return
	}
	list := inst.sent
	if list == nil {
		list = []EvolutionSend{}
	}
	c.reply(http.StatusOK, map[string]any{"data": list})
}

// onWhatsApp looks a number up in WhatsApp's directory, which knows each
// account by one canonical form (Brazil: see canonicalBR). Every number of
// 8 to 15 digits has an account unless SetOnWhatsApp said otherwise.
// Called with e.mu held.
func (e *Evolution) onWhatsApp(digits string) (jid string, exists bool) {
	canon := canonicalBR(digits)
	if len(digits) < 8 || len(digits) > 15 || e.absent[canon] {
		return createJid(digits), false
	}
	return canon + jidUser, true
}

// SetOnWhatsApp says whether a number has a WhatsApp account (both
// Brazilian forms of it). Sends to one without answer 400 {exists:false}.
func (e *Evolution) SetOnWhatsApp(number string, on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.setOnWhatsApp(digitsOnly(number), on)
}

func (e *Evolution) setOnWhatsApp(digits string, on bool) {
	if e.absent == nil {
		e.absent = map[string]bool{}
	}
	if on {
		delete(e.absent, canonicalBR(digits))
	} else {
		e.absent[canonicalBR(digits)] = true
	}
}

// Ack moves a sent message to an ack status (SERVER_ACK, DELIVERY_ACK,
// READ, PLAYED), as the customer's phone would, sending messages.update.
func (e *Evolution) Ack(instance, id, status string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	inst := e.instances[instance]
	if inst == nil {
		return fmt.Errorf("providersim: no Evolution instance %q", instance)
	}
	m := inst.msgs[id]
	if m == nil || ackRank(status) < 1 {
		return fmt.Errorf("providersim: no message %q or bad status %q", id, status)
	}
	e.ack(inst, m, status)
	return nil
}

// ack advances m to status and every step before it that it skipped
// (a phone that reads sends delivery first), never backwards.
// Called with e.mu held.
func (e *Evolution) ack(inst *evoInstance, m *evoMsg, status string) {
	for ackRank(m.status) < ackRank(status) {
		next := evoAcks[ackRank(m.status)+1]
		if next == "PLAYED" && !m.ptt {
			return // only voice notes are played
		}
		m.status = next
		data := object{{"keyId", m.key.ID}, {"remoteJid", m.key.RemoteJID}, {"fromMe", m.key.FromMe}}
		if m.key.Participant != "" {
			data = append(data, kv{"participant", m.key.Participant})
		}
		data = append(data, kv{"status", next}, kv{"instanceId", inst.id}, kv{"messageId", m.dbID})
		e.emitChat(inst, "messages.update", m.key.RemoteJID, data)
		for i := len(inst.sent) - 1; i >= 0; i-- {
			if inst.sent[i].ID == m.key.ID {
				inst.sent[i].Status = next
				break
			}
		}
	}
}
