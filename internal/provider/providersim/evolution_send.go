package providersim

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// The send API (src/api/routes/sendMessage.router.ts): every route answers
// 201 with the messageRaw of the message (status PENDING), posts the same
// as send.message, and WhatsApp's server ack follows as messages.update.

type evoQuoted struct {
	Key *struct {
		ID        string `json:"id"`
		RemoteJID string `json:"remoteJid"`
		FromMe    bool   `json:"fromMe"`
	} `json:"key"`
	Message map[string]any `json:"message"`
}

type evoSendText struct {
	Number           string     `json:"number"`
	Text             string     `json:"text"`
	Delay            int        `json:"delay"`
	Quoted           *evoQuoted `json:"quoted"`
	LinkPreview      *bool      `json:"linkPreview"`
	MentionsEveryOne *bool      `json:"mentionsEveryOne"`
	Mentioned        []string   `json:"mentioned"`
}

type evoSendMedia struct {
	Number    string     `json:"number"`
	MediaType string     `json:"mediatype"`
	Mimetype  string     `json:"mimetype"`
	Caption   string     `json:"caption"`
	FileName  string     `json:"fileName"`
	Media     string     `json:"media"`
	Delay     int        `json:"delay"`
	Quoted    *evoQuoted `json:"quoted"`
}

type evoSendAudio struct {
	Number string     `json:"number"`
	Audio  string     `json:"audio"`
	Delay  int        `json:"delay"`
	Quoted *evoQuoted `json:"quoted"`
}

type evoSendSticker struct {
	Number  string     `json:"number"`
	Sticker string     `json:"sticker"`
	Delay   int        `json:"delay"`
	Quoted  *evoQuoted `json:"quoted"`
}

type evoSendLocation struct {
	Number    string     `json:"number"`
	Name      string     `json:"name"`
	Address   string     `json:"address"`
	Latitude  *float64   `json:"latitude"`
	Longitude *float64   `json:"longitude"`
	Delay     int        `json:"delay"`
	Quoted    *evoQuoted `json:"quoted"`
}

type evoContactCard struct {
	FullName     string `json:"fullName"`
	WUID         string `json:"wuid"`
	PhoneNumber  string `json:"phoneNumber"`
	Organization string `json:"organization"`
	Email        string `json:"email"`
	URL          string `json:"url"`
}

type evoSendContact struct {
	Number  string           `json:"number"`
	Contact []evoContactCard `json:"contact"`
	Delay   int              `json:"delay"`
}

type evoSendReaction struct {
	Key *struct {
		ID        string `json:"id"`
		RemoteJID string `json:"remoteJid"`
		FromMe    bool   `json:"fromMe"`
	} `json:"key"`
	Reaction *string `json:"reaction"`
}

// sendTarget resolves number for a send as sendMessageWithTyping does: the
// session must be open, and a user must be on WhatsApp (Brazil: in either
// form), else 400 {exists:false, jid, number}. Called with e.mu held.
func (e *Evolution) sendTarget(c *evoCall, inst *evoInstance, number string) (string, bool) {
	if inst.state != StateOpen {
		c.fail(http.StatusBadRequest, "Connection Closed")
		return "", false
	}
	jid := createJid(number)
	if !strings.HasSuffix(jid, jidUser) {
		return jid, true // groups, @lid chats and status@broadcast are not looked up
	}
	canon, exists := e.onWhatsApp(jidUserPart(jid))
	if !exists {
		c.reply(http.StatusBadRequest, evoErr(http.StatusBadRequest, []object{{{"exists", false}, {"jid", jid}, {"number", number}}}))
		return "", false
	}
	return canon, true
}

// outgoing builds the message the API sends to jid, replying to quoted.
func (e *Evolution) outgoing(inst *evoInstance, jid string, quoted *evoQuoted) *evoMsg {
	now := e.now()
	m := &evoMsg{key: evoKey{RemoteJID: jid, FromMe: true, ID: newMessageID("web")}, pushName: inst.profileName,
		status: "PENDING", timestamp: now.Unix(), source: "web", at: now}
	if quoted != nil && quoted.Key != nil && quoted.Key.ID != "" {
		if q := inst.msgs[quoted.Key.ID]; q != nil {
			m.contextInfo = quoteContext(inst, q)
		} else {
			participant := quoted.Key.RemoteJID
			if participant == "" || quoted.Key.FromMe {
				participant = inst.ownerJID
			}
			m.contextInfo = object{{"stanzaId", quoted.Key.ID}, {"participant", participant}, {"quotedMessage", quoted.Message}}
		}
	}
	return m
}

// finishSend stores m, records the send, answers 201 and posts send.message
// and the acks. Called with e.mu held.
func (e *Evolution) finishSend(c *evoCall, inst *evoInstance, m *evoMsg, rec EvolutionSend) {
	e.storeMsg(inst, m)
	rec.ID, rec.To, rec.Status, rec.At = m.key.ID, m.key.RemoteJID, "PENDING", jsTime(m.at)
	if m.contextInfo != nil {
		rec.Quoted, _ = objectGet(m.contextInfo, "stanzaId").(string)
	}
	e.logSent(inst, rec)
	c.reply(http.StatusCreated, e.raw(inst, m, "PENDING", false))
	e.emitChat(inst, "send.message", m.key.RemoteJID, e.raw(inst, m, "PENDING", inst.webhook != nil && inst.webhook.WebhookBase64))
	e.ack(inst, m, e.opts.AutoAck)
}

func objectGet(o object, k string) any {
	for _, f := range o {
		if f.k == k {
			return f.v
		}
	}
	return nil
}

// typing plays sendMessageWithTyping's delay: the business shows
// "composing" (or "recording") to the chat for delay ms, then sends.
// It releases e.mu while it waits and reports false when the instance
// or the client went away. Called with e.mu held.
func (e *Evolution) typing(c *evoCall, inst *evoInstance, jid string, delay int, presence string) bool {
	if delay <= 0 {
		return true
	}
	e.setPresence(inst, jid, presence)
	ok := e.wait(c, min(time.Duration(delay)*time.Millisecond, e.opts.MaxDelay))
	e.setPresence(inst, jid, "paused")
	return ok && e.instances[inst.name] == inst
}

func (e *Evolution) setPresence(inst *evoInstance, jid, presence string) {
	if inst.presence == nil {
		inst.presence = map[string]string{}
	}
	inst.presence[jid] = presence
}

func (e *Evolution) sendText(c *evoCall) {
	inst := e.guard(c)
	var in evoSendText
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	switch {
	case in.Number == "":
		c.badSchema(`instance requires property "number"`)
		return
	case in.Text == "":
		c.badSchema(`instance requires property "text"`)
		return
	}
	jid, ok := e.sendTarget(c, inst, in.Number)
	if !ok || !e.typing(c, inst, jid, in.Delay, "composing") {
		return
	}
	m := e.outgoing(inst, jid, in.Quoted)
	// Baileys sends an extendedTextMessage; prepareMessage (2.2+) rewrites
	// it to conversation and lifts contextInfo to the top.
	m.message, m.messageType, m.text = object{{"conversation", in.Text}}, "conversation", in.Text
	e.finishSend(c, inst, m, EvolutionSend{Number: in.Number, Type: "text", Text: in.Text})
}

// mediaInput is a media body from JSON (URL or base64) or multipart (file).
type mediaInput struct {
	number, kind, mime, caption, fileName, source string
	data                                          []byte
	delay                                         int
	quoted                                        *evoQuoted
}

func (e *Evolution) sendMedia(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	var in mediaInput
	if form, isForm := c.multipart(); isForm {
		if form == nil {
			return
		}
		in = mediaInput{number: form.value("number"), kind: form.value("mediatype"), mime: form.value("mimetype"),
			caption: form.value("caption"), fileName: form.value("fileName"), data: form.file}
		in.delay, _ = strconv.Atoi(form.value("delay"))
		if in.fileName == "" {
			in.fileName = form.fileName
		}
		if in.mime == "" {
			in.mime = form.fileType
		}
		if in.data == nil {
			c.badSchema(`instance requires property "file"`)
			return
		}
	} else {
		var body evoSendMedia
		if !c.decodeBody(&body) {
			return
		}
		in = mediaInput{number: body.Number, kind: body.MediaType, mime: body.Mimetype, caption: body.Caption,
			fileName: body.FileName, source: body.Media, delay: body.Delay, quoted: body.Quoted}
		if in.source == "" {
			c.badSchema(`instance requires property "media"`)
			return
		}
	}
	if in.number == "" {
		c.badSchema(`instance requires property "number"`)
		return
	}
	if in.kind != "image" && in.kind != "video" && in.kind != "document" && in.kind != "audio" {
		c.badSchema(`mediatype is not one of enum values: image,video,document,audio`)
		return
	}
	e.sendMediaMessage(c, inst, in, in.kind)
}

func (e *Evolution) sendWhatsAppAudio(c *evoCall) {
	inst := e.guard(c)
	if inst == nil {
		return
	}
	in := mediaInput{kind: "ptt", mime: "audio/ogg; codecs=opus"}
	if form, isForm := c.multipart(); isForm {
		if form == nil {
			return
		}
		in.number, in.data = form.value("number"), form.file
		in.delay, _ = strconv.Atoi(form.value("delay"))
	} else {
		var body evoSendAudio
		if !c.decodeBody(&body) {
			return
		}
		in.number, in.source, in.delay, in.quoted = body.Number, body.Audio, body.Delay, body.Quoted
	}
	if in.number == "" || (in.source == "" && in.data == nil) {
		c.badSchema(`instance requires property "number" and "audio"`)
		return
	}
	e.sendMediaMessage(c, inst, in, "ptt")
}

func (e *Evolution) sendSticker(c *evoCall) {
	inst := e.guard(c)
	var body evoSendSticker
	if inst == nil || !c.decodeBody(&body) {
		return
	}
	if body.Number == "" || body.Sticker == "" {
		c.badSchema(`instance requires property "number" and "sticker"`)
		return
	}
	e.sendMediaMessage(c, inst, mediaInput{number: body.Number, kind: "sticker", mime: "image/webp", source: body.Sticker,
		delay: body.Delay, quoted: body.Quoted}, "sticker")
}

// sendMediaMessage fetches or decodes the media, then sends it. The
// recorded type is kind ("ptt" for sendWhatsAppAudio). Called with e.mu held.
func (e *Evolution) sendMediaMessage(c *evoCall, inst *evoInstance, in mediaInput, kind string) {
	jid, ok := e.sendTarget(c, inst, in.number)
	if !ok {
		return
	}
	var media EvolutionMedia
	if in.data == nil {
		data, mimeType, name, url, err := e.loadMedia(c, in.source)
		if e.instances[inst.name] != inst {
			c.fail(http.StatusBadRequest, "Connection Closed")
			return
		}
		if err != nil {
			c.fail(http.StatusBadRequest, err.Error())
			return
		}
		in.data, media.URL = data, url
		if in.mime == "" {
			in.mime = mimeType
		}
		if in.fileName == "" {
			in.fileName = name
		}
	}
	presence := "composing"
	if kind == "ptt" {
		presence = "recording"
	}
	if !e.typing(c, inst, jid, in.delay, presence) {
		return
	}
	m := e.outgoing(inst, jid, in.quoted)
	content := mediaContent(kind, in.mime, in.caption, in.fileName, in.data, m.at)
	m.messageType = evoMediaKinds[kind].key
	m.message = object{{m.messageType, content}}
	m.media, m.mime, m.fileName, m.caption, m.ptt = in.data, objectGet(content, "mimetype").(string), in.fileName, in.caption, kind == "ptt"
	media.Mimetype, media.FileName, media.Size = m.mime, in.fileName, len(in.data)
	e.finishSend(c, inst, m, EvolutionSend{Number: in.number, Type: kind, Text: in.caption, Media: &media})
}

// loadMedia reads a send's media: a URL Evolution downloads (following
// redirects, like a Chatwoot attachment's data_url), or base64 (bare or
// as a data URL). It releases e.mu for the download. Called with e.mu held.
func (e *Evolution) loadMedia(c *evoCall, src string) (data []byte, mimeType, name, url string, err error) {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		e.mu.Unlock()
		data, mimeType, err = e.download(c.r.Context(), src)
		e.mu.Lock()
		if err != nil {
			return nil, "", "", src, fmt.Errorf("Error: media download failed: %v", err)
		}
		name = path.Base(strings.SplitN(src, "?", 2)[0])
		return data, mimeType, name, src, nil
	}
	if _, after, found := strings.Cut(src, ";base64,"); found && strings.HasPrefix(src, "data:") {
		mimeType = strings.TrimPrefix(src[:strings.Index(src, ";")], "data:")
		src = after
	}
	data, err = base64.StdEncoding.DecodeString(src)
	if err != nil {
		return nil, "", "", "", fmt.Errorf("Owned media must be a url or base64")
	}
	return data, mimeType, "", "", nil
}

func (e *Evolution) download(ctx context.Context, url string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := e.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return data, ctype, err
}

func (e *Evolution) sendLocation(c *evoCall) {
	inst := e.guard(c)
	var in evoSendLocation
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.Number == "" || in.Latitude == nil || in.Longitude == nil {
		c.badSchema(`instance requires property "number", "latitude" and "longitude"`)
		return
	}
	jid, ok := e.sendTarget(c, inst, in.Number)
	if !ok || !e.typing(c, inst, jid, in.Delay, "composing") {
		return
	}
	m := e.outgoing(inst, jid, in.Quoted)
	m.messageType = "locationMessage"
	m.message = object{{"locationMessage", object{{"degreesLatitude", *in.Latitude}, {"degreesLongitude", *in.Longitude},
		{"name", in.Name}, {"address", in.Address}}}}
	m.text = strings.TrimSpace(in.Name + " " + in.Address)
	e.finishSend(c, inst, m, EvolutionSend{Number: in.Number, Type: "location",
		Text: fmt.Sprintf("%g,%g %s", *in.Latitude, *in.Longitude, in.Name)})
}

// vcard is the card Evolution writes for a contact.
func vcard(k evoContactCard) string {
	wuid := digitsOnly(k.WUID)
	if wuid == "" {
		wuid = digitsOnly(k.PhoneNumber)
	}
	v := "BEGIN:VCARD\nVERSION:3.0\nN:" + k.FullName + "\nFN:" + k.FullName + "\n"
	if k.Organization != "" {
		v += "ORG:" + k.Organization + ";\n"
	}
	if k.Email != "" {
		v += "EMAIL:" + k.Email + "\n"
	}
	if k.URL != "" {
		v += "URL:" + k.URL + "\n"
	}
	return v + "item1.TEL;waid=" + wuid + ":" + k.PhoneNumber + "\nitem1.X-ABLabel:Celular\nEND:VCARD"
}

func (e *Evolution) sendContact(c *evoCall) {
	inst := e.guard(c)
	var in evoSendContact
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.Number == "" || len(in.Contact) == 0 {
		c.badSchema(`instance requires property "number" and "contact"`)
		return
	}
	for i, k := range in.Contact {
		if k.FullName == "" || k.PhoneNumber == "" {
			c.badSchema(fmt.Sprintf(`contact[%d] requires property "fullName" and "phoneNumber"`, i))
			return
		}
	}
	jid, ok := e.sendTarget(c, inst, in.Number)
	if !ok || !e.typing(c, inst, jid, in.Delay, "composing") {
		return
	}
	m := e.outgoing(inst, jid, nil)
	if len(in.Contact) == 1 {
		m.messageType = "contactMessage"
		m.message = object{{"contactMessage", object{{"displayName", in.Contact[0].FullName}, {"vcard", vcard(in.Contact[0])}}}}
	} else {
		var cards []object
		for _, k := range in.Contact {
			cards = append(cards, object{{"displayName", k.FullName}, {"vcard", vcard(k)}})
		}
		m.messageType = "contactsArrayMessage"
		m.message = object{{"contactsArrayMessage", object{{"displayName", strconv.Itoa(len(cards)) + " contacts"}, {"contacts", cards}}}}
	}
	var names []string
	for _, k := range in.Contact {
		names = append(names, k.FullName+" "+k.PhoneNumber)
	}
	m.text = strings.Join(names, ", ")
	e.finishSend(c, inst, m, EvolutionSend{Number: in.Number, Type: "contact", Text: m.text})
}

func (e *Evolution) sendReaction(c *evoCall) {
	inst := e.guard(c)
	var in evoSendReaction
	if inst == nil || !c.decodeBody(&in) {
		return
	}
	if in.Key == nil || in.Key.ID == "" || in.Key.RemoteJID == "" || in.Reaction == nil {
		c.badSchema(`instance requires property "key" (id, remoteJid, fromMe) and "reaction"`)
		return
	}
	if inst.state != StateOpen {
		c.fail(http.StatusBadRequest, "Connection Closed")
		return
	}
	m := e.outgoing(inst, in.Key.RemoteJID, nil)
	m.messageType = "reactionMessage"
	m.message = object{{"reactionMessage", object{{"key", evoKey{RemoteJID: in.Key.RemoteJID, FromMe: in.Key.FromMe, ID: in.Key.ID}},
		{"text", *in.Reaction}, {"senderTimestampMs", strconv.FormatInt(m.at.UnixMilli(), 10)}}}}
	m.reactionTo, m.emoji = in.Key.ID, *in.Reaction
	if t := inst.msgs[in.Key.ID]; t != nil {
		t.emoji = *in.Reaction // the phone shows it under the message
	}
	e.finishSend(c, inst, m, EvolutionSend{Number: in.Key.RemoteJID, Type: "reaction", Text: *in.Reaction, Target: in.Key.ID})
}

// evoForm is a parsed multipart body: its values and its "file" part.
type evoForm struct {
	values             map[string][]string
	file               []byte
	fileName, fileType string
}

func (f *evoForm) value(k string) string {
	if v := f.values[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// multipart parses a multipart/form-data body (multer's upload.single
// ('file')). isForm is false for other bodies; form is nil when the form
// was malformed and a 400 has been answered.
func (c *evoCall) multipart() (form *evoForm, isForm bool) {
	mt, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, false
	}
	r := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
	mf, err := r.ReadForm(maxBody)
	if err != nil {
		c.reply(http.StatusBadRequest, evoErr(http.StatusBadRequest, "Multipart: "+err.Error()))
		return nil, true
	}
	defer mf.RemoveAll()
	form = &evoForm{values: mf.Value}
	if files := mf.File["file"]; len(files) > 0 {
		fh, err := files[0].Open()
		if err == nil {
			form.file, _ = io.ReadAll(fh)
			fh.Close()
		}
		form.fileName, form.fileType = files[0].Filename, files[0].Header.Get("Content-Type")
	}
	return form, true
}
