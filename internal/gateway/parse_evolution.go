package gateway

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Evolution API v2 webhook bodies: {event, instance, data, …}.

type evoKey struct {
	RemoteJID         string `json:"remoteJid"`
	FromMe            bool   `json:"fromMe"`
	ID                string `json:"id"`
	Participant       string `json:"participant"`
	ParticipantAlt    string `json:"participantAlt"`
	AddressingMode    string `json:"addressingMode"`
	RemoteJIDAlt      string `json:"remoteJidAlt"`
	PreviousRemoteJID string `json:"previousRemoteJid"`
	SenderPn          string `json:"senderPn"`
	SenderLid         string `json:"senderLid"`
}

type evoMedia struct {
	Mimetype   string          `json:"mimetype"`
	Caption    string          `json:"caption"`
	FileName   string          `json:"fileName"`
	PTT        bool            `json:"ptt"`
	FileLength json.RawMessage `json:"fileLength"`
}

type evoContextInfo struct {
	StanzaID string `json:"stanzaId"`
}

type evoMessage struct {
	Conversation        string `json:"conversation"`
	ExtendedTextMessage *struct {
		Text        string          `json:"text"`
		ContextInfo *evoContextInfo `json:"contextInfo"`
	} `json:"extendedTextMessage"`
	ImageMessage               *evoMedia `json:"imageMessage"`
	VideoMessage               *evoMedia `json:"videoMessage"`
	AudioMessage               *evoMedia `json:"audioMessage"`
	DocumentMessage            *evoMedia `json:"documentMessage"`
	DocumentWithCaptionMessage *struct {
		Message struct {
			DocumentMessage *evoMedia `json:"documentMessage"`
		} `json:"message"`
	} `json:"documentWithCaptionMessage"`
	StickerMessage  *evoMedia `json:"stickerMessage"`
	LocationMessage *struct {
		Lat     float64 `json:"degreesLatitude"`
		Lng     float64 `json:"degreesLongitude"`
		Name    string  `json:"name"`
		Address string  `json:"address"`
	} `json:"locationMessage"`
	ContactMessage *struct {
		DisplayName string `json:"displayName"`
		Vcard       string `json:"vcard"`
	} `json:"contactMessage"`
	ReactionMessage *struct {
		Key  evoKey `json:"key"`
		Text string `json:"text"`
	} `json:"reactionMessage"`
	ProtocolMessage *struct {
		Key           evoKey          `json:"key"`
		Type          json.RawMessage `json:"type"`
		EditedMessage *evoMessage     `json:"editedMessage"`
	} `json:"protocolMessage"`
	EditedMessage *struct {
		Message *evoMessage `json:"message"`
	} `json:"editedMessage"`
	Base64 string `json:"base64"`
}

type evoData struct {
	Key              evoKey          `json:"key"`
	PushName         string          `json:"pushName"`
	Message          *evoMessage     `json:"message"`
	ContextInfo      *evoContextInfo `json:"contextInfo"`
	MessageType      string          `json:"messageType"`
	MessageTimestamp json.RawMessage `json:"messageTimestamp"`
}

type evoEnvelope struct {
	Event    string          `json:"event"`
	Instance string          `json:"instance"`
	Data     json.RawMessage `json:"data"`
}

// ParseEvolution reads one Evolution webhook body. Unknown events parse
// to nothing; a body that is not Evolution's shape is an error.
func ParseEvolution(body []byte) (*Parsed, error) {
	var env evoEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("not an Evolution webhook: %w", err)
	}
	out := &Parsed{}
	switch env.Event {
	case "messages.upsert", "send.message":
		for _, d := range evoList(env.Data) {
			var data evoData
			if err := json.Unmarshal(d, &data); err != nil {
				return nil, fmt.Errorf("%s: %w", env.Event, err)
			}
			in, why := evoInbound(&data)
			if why != "" {
				out.Ignored = append(out.Ignored, why)
				continue
			}
			in.APISend = env.Event == "send.message"
			out.Messages = append(out.Messages, *in)
		}
	case "messages.edited":
		for _, d := range evoList(env.Data) {
			if in := evoEdit(d); in != nil {
				out.Messages = append(out.Messages, *in)
			}
		}
	case "messages.delete":
		for _, d := range evoList(env.Data) {
			var k evoKey
			if err := json.Unmarshal(d, &k); err != nil || k.ID == "" {
				continue
			}
			peer, ok := evoPeer(k)
			if !ok {
				continue
			}
			out.Messages = append(out.Messages, Inbound{ID: "del:" + k.ID, Chat: peer, FromMe: k.FromMe, Kind: KindDelete, TargetID: k.ID})
		}
	case "messages.update":
		for _, d := range evoList(env.Data) {
			var u struct {
				KeyID  string `json:"keyId"`
				Remote string `json:"remoteJid"`
				FromMe bool   `json:"fromMe"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal(d, &u); err != nil || u.KeyID == "" || !u.FromMe {
				continue // acks of the customer's messages are the business reading them
			}
			if st := evoStatus(u.Status); st != "" {
				out.Statuses = append(out.Statuses, StatusUpdate{ID: u.KeyID, Status: st, Recipient: u.Remote})
			}
		}
	}
	return out, nil
}

// evoList accepts data as one object or an array of them.
func evoList(raw json.RawMessage) []json.RawMessage {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] == '[' {
		var list []json.RawMessage
		_ = json.Unmarshal(raw, &list)
		return list
	}
	return []json.RawMessage{raw}
}

// evoStatus maps Evolution's ack names.
func evoStatus(s string) string {
	switch s {
	case "SERVER_ACK":
		return "sent"
	case "DELIVERY_ACK":
		return "delivered"
	case "READ", "PLAYED":
		return "read"
	case "ERROR":
		return "failed"
	}
	return ""
}

// evoPeer is the chat of a key: a group, or a person under their phone
// (remoteJidAlt/senderPn when addressed by @lid) and LID.
func evoPeer(k evoKey) (Peer, bool) {
	r := k.RemoteJID
	switch {
	case r == jidBroadcast || strings.HasSuffix(r, "@broadcast") || strings.HasSuffix(r, "@newsletter"):
		return Peer{}, false
	case strings.HasSuffix(r, jidGroup):
		return Peer{Group: r}, true
	}
	p := Peer{Phone: phoneOfJID(r), LID: lidOfJID(r)}
	for _, alt := range []string{k.RemoteJIDAlt, k.SenderPn} {
		if p.Phone == "" {
			p.Phone = phoneOfJID(alt)
		}
	}
	for _, alt := range []string{k.PreviousRemoteJID, k.SenderLid, k.RemoteJIDAlt} {
		if p.LID == "" {
			p.LID = lidOfJID(alt)
		}
	}
	return p, p.Key() != ""
}

func evoInbound(d *evoData) (*Inbound, string) {
	if d.Key.ID == "" {
		return nil, "a message without an id"
	}
	chat, ok := evoPeer(d.Key)
	if !ok {
		return nil, "status posts and broadcasts are not conversations (" + d.Key.RemoteJID + ")"
	}
	in := &Inbound{ID: d.Key.ID, Chat: chat, FromMe: d.Key.FromMe, Timestamp: evoTime(d.MessageTimestamp)}
	if chat.Group != "" {
		pk := evoKey{RemoteJID: d.Key.Participant, RemoteJIDAlt: d.Key.ParticipantAlt}
		if p, ok := evoPeer(pk); ok {
			p.Name = d.PushName
			in.Participant = &p
		}
	} else if !d.Key.FromMe {
		in.Chat.Name = d.PushName
	}
	if d.ContextInfo != nil {
		in.QuotedID = d.ContextInfo.StanzaID
	}
	evoContent(in, d.Message)
	return in, ""
}

// evoContent fills kind, text, media and targets from a Baileys message.
func evoContent(in *Inbound, m *evoMessage) {
	in.Kind = KindOther
	if m == nil {
		return
	}
	media := func(kind string, md *evoMedia) {
		in.Kind, in.Text = kind, md.Caption
		in.Media = &Media{MIME: md.Mimetype, FileName: md.FileName, Voice: kind == KindAudio && md.PTT, Base64: m.Base64}
	}
	switch {
	case m.Conversation != "":
		in.Kind, in.Text = KindText, m.Conversation
	case m.ExtendedTextMessage != nil:
		in.Kind, in.Text = KindText, m.ExtendedTextMessage.Text
		if ci := m.ExtendedTextMessage.ContextInfo; ci != nil && in.QuotedID == "" {
			in.QuotedID = ci.StanzaID
		}
	case m.ImageMessage != nil:
		media(KindImage, m.ImageMessage)
	case m.VideoMessage != nil:
		media(KindVideo, m.VideoMessage)
	case m.AudioMessage != nil:
		media(KindAudio, m.AudioMessage)
	case m.DocumentMessage != nil:
		media(KindDocument, m.DocumentMessage)
	case m.DocumentWithCaptionMessage != nil && m.DocumentWithCaptionMessage.Message.DocumentMessage != nil:
		media(KindDocument, m.DocumentWithCaptionMessage.Message.DocumentMessage)
	case m.StickerMessage != nil:
		media(KindSticker, m.StickerMessage)
	case m.LocationMessage != nil:
		l := m.LocationMessage
		in.Kind = KindLocation
		in.Text = strings.TrimSpace(fmt.Sprintf("%s %s\nhttps://maps.google.com/?q=%g,%g", l.Name, l.Address, l.Lat, l.Lng))
	case m.ContactMessage != nil:
		in.Kind, in.Text = KindContact, contactText(m.ContactMessage.DisplayName, m.ContactMessage.Vcard)
	case m.ReactionMessage != nil:
		in.Kind, in.Text, in.TargetID = KindReaction, m.ReactionMessage.Text, m.ReactionMessage.Key.ID
	case m.ProtocolMessage != nil && m.ProtocolMessage.Key.ID != "":
		pm := m.ProtocolMessage
		in.TargetID = pm.Key.ID
		if pm.EditedMessage != nil {
			var inner Inbound
			evoContent(&inner, pm.EditedMessage)
			in.Kind, in.Text = KindEdit, inner.Text
		} else {
			in.Kind = KindDelete
		}
	case m.EditedMessage != nil && m.EditedMessage.Message != nil:
		evoContent(in, m.EditedMessage.Message)
	}
}

// evoEdit reads messages.edited: {key, type: MESSAGE_EDIT|REVOKE, editedMessage|message}.
func evoEdit(raw json.RawMessage) *Inbound {
	var e struct {
		Key           evoKey      `json:"key"`
		Type          string      `json:"type"`
		EditedMessage *evoMessage `json:"editedMessage"`
		Message       *evoMessage `json:"message"`
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.Key.ID == "" {
		return nil
	}
	peer, ok := evoPeer(e.Key)
	if !ok {
		return nil
	}
	in := &Inbound{Chat: peer, FromMe: e.Key.FromMe, TargetID: e.Key.ID}
	if e.Type == "REVOKE" {
		in.ID, in.Kind = "del:"+e.Key.ID, KindDelete
		return in
	}
	msg := e.EditedMessage
	if msg == nil {
		msg = e.Message
	}
	var inner Inbound
	evoContent(&inner, msg)
	in.Kind, in.Text = KindEdit, inner.Text
	in.ID = "edit:" + e.Key.ID + ":" + hashText(in.Text)
	return in
}

func evoTime(raw json.RawMessage) int64 {
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return n
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		fmt.Sscan(s, &n)
	}
	return n
}

// contactText shows a contact card: the name and the numbers in its vCard.
func contactText(name, vcard string) string {
	var nums []string
	for _, line := range strings.Split(vcard, "\n") {
		if strings.HasPrefix(strings.ToUpper(line), "TEL") {
			if i := strings.LastIndexByte(line, ':'); i >= 0 {
				nums = append(nums, strings.TrimSpace(line[i+1:]))
			}
		}
	}
	return strings.TrimSpace(name + " " + strings.Join(nums, ", "))
}
