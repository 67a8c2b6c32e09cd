package providersim

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// evoKey is Baileys' WAMessageKey as Evolution passes it on verbatim.
type evoKey struct {
	RemoteJID         string `json:"remoteJid"`
	FromMe            bool   `json:"fromMe"`
	ID                string `json:"id"`
	Participant       string `json:"participant,omitempty"`
	ParticipantAlt    string `json:"participantAlt,omitempty"`
	AddressingMode    string `json:"addressingMode,omitempty"`
	RemoteJIDAlt      string `json:"remoteJidAlt,omitempty"`
	PreviousRemoteJID string `json:"previousRemoteJid,omitempty"` // 2.3.0–2.3.4 rewrote @lid chats to the phone JID
}

// Ack statuses of a message, in order (messages.update, the answers'
// status field).
var evoAcks = []string{"PENDING", "SERVER_ACK", "DELIVERY_ACK", "READ", "PLAYED"}

func ackRank(s string) int {
	for i, a := range evoAcks {
		if a == s {
			return i
		}
	}
	return -1
}

// evoMsg is a message Evolution keeps in its database: what was sent or
// received, so acks, edits, deletes and getBase64FromMediaMessage can find it.
type evoMsg struct {
	key         evoKey
	dbID        string // Evolution's own Message.id, messages.update's messageId
	messageType string // conversation, imageMessage, audioMessage, …
	message     object // the Baileys message content as rendered
	contextInfo object
	pushName    string
	status      string
	timestamp   int64
	source      string

	// for the sent log, the phone page and getBase64FromMediaMessage
	text, caption     string
	media             []byte
	mime, fileName    string
	ptt               bool
	reactionTo, emoji string
	edited, deleted   bool
	readByBusiness    bool // markMessageAsRead on an incoming message
	at                time.Time
}

// raw is prepareMessage's messageRaw: the answer to a send, the data of
// messages.upsert and send.message. base64 adds message.base64 for media
// when the webhook asks for it (webhook base64).
func (e *Evolution) raw(inst *evoInstance, m *evoMsg, status string, withBase64 bool) object {
	msg := m.message
	if withBase64 && m.media != nil {
		msg = append(append(object{}, msg...), kv{"base64", base64.StdEncoding.EncodeToString(m.media)})
	}
	pushName := m.pushName
	if pushName == "" && m.key.FromMe {
		pushName = "Você"
	}
	out := object{{"key", m.key}, {"pushName", pushName}, {"status", status}, {"message", msg}}
	if m.contextInfo != nil {
		out = append(out, kv{"contextInfo", m.contextInfo})
	}
	return append(out, kv{"messageType", m.messageType}, kv{"messageTimestamp", m.timestamp},
		kv{"instanceId", inst.id}, kv{"source", m.source})
}

// deviceOf is Baileys' getDevice: the message id's shape tells the
// sending device.
func deviceOf(id string) string {
	switch {
	case strings.HasPrefix(id, "3A") && len(id) == 20:
		return "ios"
	case strings.HasPrefix(id, "3E") && len(id) == 22:
		return "web"
	case len(id) == 21 || len(id) == 32:
		return "android"
	case strings.HasPrefix(id, "3F") || len(id) == 18:
		return "desktop"
	}
	return "unknown"
}

// newMessageID makes a WhatsApp message id as the device would: Baileys
// (the API) uses "3EB0" + 18 hex, an Android phone 32 hex, an iPhone
// "3A" + 18 hex.
func newMessageID(device string) string {
	switch device {
	case "web":
		return "3EB0" + strings.ToUpper(randomHex(9))
	case "ios":
		return "3A" + strings.ToUpper(randomHex(9))
	}
	return strings.ToUpper(randomHex(16))
}

// evoMediaKinds maps the media types of sendMedia and the simulator's
// inbound types to Baileys message keys and default MIME types.
var evoMediaKinds = map[string]struct{ key, mime, ext string }{
	"image":    {"imageMessage", "image/jpeg", "jpg"},
	"video":    {"videoMessage", "video/mp4", "mp4"},
	"audio":    {"audioMessage", "audio/ogg; codecs=opus", "ogg"},
	"ptt":      {"audioMessage", "audio/ogg; codecs=opus", "ogg"},
	"document": {"documentMessage", "application/pdf", "pdf"},
	"sticker":  {"stickerMessage", "image/webp", "webp"},
}

// mediaContent renders a Baileys media message for data of kind.
func mediaContent(kind, mime, caption, fileName string, data []byte, now time.Time) object {
	k := evoMediaKinds[kind]
	if mime == "" {
		mime = k.mime
	}
	sum := sha256.Sum256(data)
	enc := sha256.Sum256(append([]byte("enc"), data...))
	path := "/v/t62.7118-24/" + randomDigits(8) + "_" + randomDigits(15) + "_n.enc?ccb=11-4&oh=01_" + randomFrom(base62, 20)
	c := object{{"url", "https://mmg.whatsapp.net" + path + "&mms3=true"}, {"mimetype", mime}}
	if caption != "" && (kind == "image" || kind == "video" || kind == "document") {
		c = append(c, kv{"caption", caption})
	}
	c = append(c, kv{"fileSha256", base64.StdEncoding.EncodeToString(sum[:])},
		kv{"fileLength", strconv.Itoa(len(data))})
	switch kind {
	case "image", "sticker":
		c = append(c, kv{"height", 640}, kv{"width", 480})
	case "video":
		c = append(c, kv{"seconds", 7}, kv{"height", 640}, kv{"width", 360})
	case "audio", "ptt":
		c = append(c, kv{"seconds", max(1, len(data)/2000)}, kv{"ptt", kind == "ptt"})
	case "document":
		if fileName == "" {
			fileName = "document." + k.ext
		}
		c = append(c, kv{"title", fileName}, kv{"fileName", fileName})
	}
	c = append(c, kv{"mediaKey", b64(32)}, kv{"fileEncSha256", base64.StdEncoding.EncodeToString(enc[:])},
		kv{"directPath", path}, kv{"mediaKeyTimestamp", strconv.FormatInt(now.Unix(), 10)})
	if kind == "sticker" {
		c = append(c, kv{"isAnimated", false})
	}
	if kind == "ptt" {
		c = append(c, kv{"waveform", b64(64)})
	}
	return c
}

// placeholderMedia is what a simulated contact sends when the test gives
// no bytes: a few recognisable bytes of the right kind.
func placeholderMedia(kind string) []byte {
	switch kind {
	case "image":
		return []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00sim-image\xff\xd9")
	case "sticker":
		return []byte("RIFF\x1a\x00\x00\x00WEBPVP8 sim-sticker")
	case "video":
		return []byte("\x00\x00\x00\x18ftypmp42sim-video")
	case "audio", "ptt":
		return []byte("OggS\x00\x02sim-voice-note-opus")
	}
	return []byte("%PDF-1.4\n% sim document\n%%EOF\n")
}

// quoteContext is the contextInfo of a reply to quoted: Evolution moves it
// to the top level of the messageRaw.
func quoteContext(inst *evoInstance, quoted *evoMsg) object {
	participant := quoted.key.RemoteJID
	if quoted.key.FromMe {
		participant = inst.ownerJID
	} else if quoted.key.Participant != "" {
		participant = quoted.key.Participant
	}
	return object{{"stanzaId", quoted.key.ID}, {"participant", participant}, {"quotedMessage", quoted.message}}
}
