package providersim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook notification shapes, keys in the order of
// testdata/meta-cloud-*.json. Messages are rendered as ordered objects
// because each type has its own keys.
type (
	metaNotification struct {
		Object string      `json:"object"`
		Entry  []metaEntry `json:"entry"`
	}
	metaEntry struct {
		ID      string       `json:"id"`
		Changes []metaChange `json:"changes"`
	}
	metaChange struct {
		Value metaValue `json:"value"`
		Field string    `json:"field"`
	}
	metaValue struct {
		MessagingProduct string       `json:"messaging_product"`
		Metadata         metaMetadata `json:"metadata"`
		Contacts         []object     `json:"contacts,omitempty"`
		Messages         []object     `json:"messages,omitempty"`
		MessageEchoes    []object     `json:"message_echoes,omitempty"`
		Statuses         []metaStatus `json:"statuses,omitempty"`
	}
	metaMetadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	}
	metaStatus struct {
		ID           string            `json:"id"`
		Status       string            `json:"status"`
		Timestamp    string            `json:"timestamp"`
		RecipientID  string            `json:"recipient_id"`
		Conversation *metaConversation `json:"conversation,omitempty"`
		Pricing      *metaPricing      `json:"pricing,omitempty"`
		Errors       []metaError       `json:"errors,omitempty"`
		BizOpaque    string            `json:"biz_opaque_callback_data,omitempty"`
	}
	metaConversation struct {
		ID                  string `json:"id"`
		ExpirationTimestamp string `json:"expiration_timestamp"`
		Origin              struct {
			Type string `json:"type"`
		} `json:"origin"`
	}
	metaPricing struct {
		Billable     bool   `json:"billable"`
		PricingModel string `json:"pricing_model"`
		Category     string `json:"category"`
	}
	metaError struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	}
)

// cloudInboundBody is a customer's message on /_sim/messages (and an item
// of /_sim/batch).
type cloudInboundBody struct {
	From          string   `json:"from"`            // the customer's wa_id (digits); empty with user_id for a username user
	UserID        string   `json:"user_id"`         // a business-scoped user id (BSUID, e.g. "BR.ABC123"): from_user_id
	Username      string   `json:"username"`        // profile.username of a username user
	Name          string   `json:"name"`            // profile name; default "Sim Contact"
	PhoneNumberID string   `json:"phone_number_id"` // which business number receives it; default the first
	Type          string   `json:"type"`            // text (default), image, audio, video, document, sticker, location, contacts, reaction, interactive, button, unsupported
	Text          string   `json:"text"`            // text body, media caption, button/interactive title, location name, reaction emoji
	Voice         bool     `json:"voice"`           // audio: a voice note
	Media         string   `json:"media"`           // base64 of the file (default: a placeholder), downloadable through the media API
	MimeType      string   `json:"mime_type"`
	Filename      string   `json:"filename"`
	Context       string   `json:"context"`  // the wamid replied to (or a button's template message)
	ReactTo       string   `json:"react_to"` // reaction: the wamid reacted to
	Payload       string   `json:"payload"`  // button payload / interactive reply id
	List          bool     `json:"list"`     // interactive: a list_reply instead of a button_reply
	Latitude      *float64 `json:"latitude"`
	Longitude     *float64 `json:"longitude"`
	Referral      bool     `json:"referral"` // arrived from a click-to-WhatsApp ad
	ID            string   `json:"id"`       // the wamid; generated when empty
}

type cloudStatusBody struct {
	MessageID     string `json:"message_id"`
	Status        string `json:"status"` // sent, delivered, read, failed, played
	RecipientID   string `json:"recipient_id"`
	PhoneNumberID string `json:"phone_number_id"`
	ErrorCode     int    `json:"error_code"` // failed: 131026 (default), 131047, 131049, 131053, …
	BizOpaque     string `json:"biz_opaque_callback_data"`
}

// value builds one change value for number p.
func (a *CloudAPI) value(p PhoneNumber) metaValue {
	return metaValue{MessagingProduct: "whatsapp", Metadata: metaMetadata{DisplayPhoneNumber: p.DisplayPhoneNumber, PhoneNumberID: p.ID}}
}

// envelope wraps change values for the account's WABA, one entry each.
func (a *CloudAPI) envelope(field string, values ...metaValue) metaNotification {
	n := metaNotification{Object: "whatsapp_business_account"}
	for _, v := range values {
		n.Entry = append(n.Entry, metaEntry{ID: a.wabaID, Changes: []metaChange{{Value: v, Field: field}}})
	}
	return n
}

// target resolves the business number a /_sim/ call is about.
func (a *CloudAPI) target(c *cloudCall, id string) (PhoneNumber, bool) {
	if id == "" {
		id = a.opts.PhoneNumberID
	}
	p, ok := a.PhoneNumber(id)
	if !ok {
		c.reply(http.StatusNotFound, simError("no phone number "+id))
	}
	return p, ok
}

var cloudInboundTypes = []string{"text", "image", "audio", "video", "document", "sticker", "location", "contacts",
	"reaction", "interactive", "button", "unsupported"}

// inboundMessage renders a customer's message and its contacts entry,
// storing inbound media for the media API and opening the 24-hour window.
func (a *CloudAPI) inboundMessage(p PhoneNumber, in cloudInboundBody) (contact, msg object, err error) {
	if in.Type == "" {
		in.Type = "text"
	}
	if !slices.Contains(cloudInboundTypes, in.Type) {
		return nil, nil, fmt.Errorf(`"type" must be one of %s`, strings.Join(cloudInboundTypes, ", "))
	}
	from := digitsOnly(in.From)
	if from == "" && in.UserID == "" || from != "" && (len(from) < 8 || len(from) > 15) {
		return nil, nil, fmt.Errorf(`"from" (8-15 digits) or "user_id" is required`)
	}
	if in.Name == "" {
		in.Name = "Sim Contact"
	}
	now := a.now()
	if in.ID == "" {
		in.ID = wamid(from)
	}
	profile := object{{"name", in.Name}}
	if in.Username != "" {
		profile = append(profile, kv{"username", in.Username})
	}
	contact = object{{"profile", profile}}
	msg = object{}
	if from != "" {
		contact = append(contact, kv{"wa_id", from})
		msg = append(msg, kv{"from", from})
	}
	if in.UserID != "" {
		contact = append(contact, kv{"user_id", in.UserID})
		msg = append(msg, kv{"from_user_id", in.UserID})
	}
	msg = append(msg, kv{"id", in.ID}, kv{"timestamp", unixString(now)})
	if in.Context != "" {
		msg = append(msg, kv{"context", object{{"from", p.DisplayPhoneNumber}, {"id", in.Context}}})
	}
	switch in.Type {
	case "text":
		if in.Text == "" {
			return nil, nil, fmt.Errorf(`"text" is required for a text message`)
		}
		msg = append(msg, kv{"text", object{{"body", in.Text}}})
	case "location":
		if in.Latitude == nil || in.Longitude == nil {
			return nil, nil, fmt.Errorf(`"latitude" and "longitude" are required for a location`)
		}
		loc := object{{"latitude", *in.Latitude}, {"longitude", *in.Longitude}}
		if in.Text != "" {
			loc = append(loc, kv{"name", in.Text})
		}
		msg = append(msg, kv{"location", loc})
	case "contacts":
		phone := in.Payload
		if phone == "" {
			phone = "+55 11 98765-4321"
		}
		msg = append(msg, kv{"contacts", []object{{{"name", object{{"formatted_name", in.Text}, {"first_name", in.Text}}},
			{"phones", []object{{{"phone", phone}, {"wa_id", digitsOnly(phone)}, {"type", "CELL"}}}}}}})
	case "reaction":
		if in.ReactTo == "" {
			return nil, nil, fmt.Errorf(`"react_to" is required for a reaction`)
		}
		msg = append(msg, kv{"reaction", object{{"message_id", in.ReactTo}, {"emoji", in.Text}}})
	case "interactive":
		kind, reply := "button_reply", object{{"id", in.Payload}, {"title", in.Text}}
		if in.List {
			kind, reply = "list_reply", append(reply, kv{"description", ""})
		}
		msg = append(msg, kv{"interactive", object{{"type", kind}, {kind, reply}}})
	case "button":
		msg = append(msg, kv{"button", object{{"payload", in.Payload}, {"text", in.Text}}})
	case "unsupported":
		msg = append(msg, kv{"errors", []object{{{"code", 131051}, {"title", "Message type unknown"}, {"message", "Message type unknown"},
			{"error_data", object{{"details", "Message type is currently not supported."}}}}}})
	default: // media
		data := placeholderMedia(in.Type)
		if in.Media != "" {
			if data, err = base64.StdEncoding.DecodeString(in.Media); err != nil {
				return nil, nil, fmt.Errorf(`"media" must be base64`)
			}
		}
		mimeType := in.MimeType
		if mimeType == "" {
			mimeType = map[string]string{"image": "image/jpeg", "audio": "audio/ogg; codecs=opus", "video": "video/mp4",
				"document": "application/pdf", "sticker": "image/webp"}[in.Type]
		}
		md := a.storeMedia(p.ID, data, mimeType, in.Filename)
		file := object{}
		if in.Text != "" && in.Type != "audio" && in.Type != "sticker" {
			file = append(file, kv{"caption", in.Text})
		}
		if in.Type == "document" {
			name := in.Filename
			if name == "" {
				name = "document.pdf"
			}
			file = append(file, kv{"filename", name})
		}
		file = append(file, kv{"mime_type", mimeType}, kv{"sha256", md.sha256}, kv{"id", md.id})
		if in.Type == "audio" {
			file = append(file, kv{"voice", in.Voice})
		}
		if in.Type == "sticker" {
			file = append(file, kv{"animated", false})
		}
		msg = append(msg, kv{in.Type, file})
	}
	if in.Referral {
		msg = append(msg, kv{"referral", object{{"source_url", "https://fb.me/sim-ad"}, {"source_id", randomDigits(15)},
			{"source_type", "ad"}, {"headline", "Fale conosco"}, {"body", "Oferta"}, {"media_type", "image"},
			{"image_url", "https://scontent.xx.fbcdn.net/sim.jpg"}, {"ctwa_clid", randomFrom(base62, 40)}}})
	}
	msg = append(msg, kv{"type", in.Type})
	if from != "" {
		a.mu.Lock()
		a.lastInbound[p.ID+"/"+canonicalBR(from)] = now
		a.mu.Unlock()
	}
	return contact, msg, nil
}

func (a *CloudAPI) simMessage(c *cloudCall) {
	var in cloudInboundBody
	if !decodeSim(c.w, c.body, &in) {
		return
	}
	p, ok := a.target(c, in.PhoneNumberID)
	if !ok {
		return
	}
	contact, msg, err := a.inboundMessage(p, in)
	if err != nil {
		c.reply(http.StatusBadRequest, simError(err.Error()))
		return
	}
	v := a.value(p)
	v.Contacts, v.Messages = []object{contact}, []object{msg}
	if !a.post(p.ID, "messages", chatOf(in), a.envelope("messages", v)) {
		c.reply(http.StatusConflict, simError("no verified callback: POST /_sim/webhook first"))
		return
	}
	c.reply(http.StatusCreated, map[string]string{"message_id": objectGet(msg, "id").(string)})
}

func chatOf(in cloudInboundBody) string {
	if in.From != "" {
		return canonicalBR(digitsOnly(in.From))
	}
	return in.UserID
}

var metaStatusValues = []string{"sent", "delivered", "read", "failed", "played"}

// statusEntry renders a status of a message sent to recipient.
func (a *CloudAPI) statusEntry(id, recipient, status, opaque string, code int) metaStatus {
	now := a.now()
	st := metaStatus{ID: id, Status: status, Timestamp: unixString(now), RecipientID: recipient, BizOpaque: opaque}
	switch status {
	case "sent", "delivered": // conversation and pricing ride on these, not on read
		conv := &metaConversation{ID: randomHex(16), ExpirationTimestamp: unixString(now.Add(24 * time.Hour))}
		conv.Origin.Type = "service"
		st.Conversation, st.Pricing = conv, &metaPricing{Billable: true, PricingModel: "CBP", Category: "service"}
	case "failed":
		if code == 0 {
			code = 131026
		}
		ge := sendError(code)
		title := strings.TrimPrefix(ge.Message, fmt.Sprintf("(#%d) ", code))
		e := metaError{Code: code, Title: title, Message: title}
		e.ErrorData.Details = ge.ErrorData.Details
		if code != 131026 && code != 131047 {
			e.Title, e.Message, e.ErrorData.Details = "Message failed", "Message failed", "Error code "+strconv.Itoa(code)
		}
		st.Errors = []metaError{e}
	}
	return st
}

// status posts one status of a sent message and records it in the sent
// log; false when no callback is registered.
func (a *CloudAPI) status(p *PhoneNumber, id, recipient, status, opaque string, code int) bool {
	a.mu.Lock()
	for i := len(a.sent) - 1; i >= 0; i-- {
		if a.sent[i].ID == id {
			if status == "failed" || statusRank(status) > statusRank(a.sent[i].Status) {
				a.sent[i].Status, a.sent[i].Error = status, code
			}
			break
		}
	}
	a.mu.Unlock()
	v := a.value(*p)
	v.Statuses = []metaStatus{a.statusEntry(id, recipient, status, opaque, code)}
	return a.post(p.ID, "statuses", recipient, a.envelope("messages", v))
}

func (a *CloudAPI) simStatus(c *cloudCall) {
	var in cloudStatusBody
	if !decodeSim(c.w, c.body, &in) {
		return
	}
	if in.MessageID == "" || !slices.Contains(metaStatusValues, in.Status) {
		c.reply(http.StatusBadRequest, simError(`"message_id" and "status" (sent, delivered, read, failed, played) are required`))
		return
	}
	p, ok := a.target(c, in.PhoneNumberID)
	if !ok {
		return
	}
	recipient := digitsOnly(in.RecipientID)
	if recipient == "" {
		recipient = wamidPhone(in.MessageID)
	}
	if recipient == "" {
		c.reply(http.StatusBadRequest, simError(`"recipient_id" is required when "message_id" does not carry the number`))
		return
	}
	if !a.status(&p, in.MessageID, recipient, in.Status, in.BizOpaque, in.ErrorCode) {
		c.reply(http.StatusConflict, simError("no verified callback: POST /_sim/webhook first"))
		return
	}
	c.reply(http.StatusCreated, map[string]string{"message_id": in.MessageID, "status": in.Status})
}

type cloudEchoBody struct {
	To            string `json:"to"`   // the customer
	Text          string `json:"text"` // what the business wrote in the WhatsApp Business app
	PhoneNumberID string `json:"phone_number_id"`
}

// simEcho is coexistence: the business wrote from the WhatsApp Business
// app, and Meta echoes it (field smb_message_echoes, value.message_echoes).
func (a *CloudAPI) simEcho(c *cloudCall) {
	var in cloudEchoBody
	if !decodeSim(c.w, c.body, &in) {
		return
	}
	to := digitsOnly(in.To)
	if len(to) < 8 || len(to) > 15 || in.Text == "" {
		c.reply(http.StatusBadRequest, simError(`"to" (8-15 digits) and "text" are required`))
		return
	}
	p, ok := a.target(c, in.PhoneNumberID)
	if !ok {
		return
	}
	id := wamid(to)
	v := a.value(p)
	v.MessageEchoes = []object{{{"from", p.DisplayPhoneNumber}, {"to", to}, {"id", id}, {"timestamp", unixString(a.now())},
		{"type", "text"}, {"text", object{{"body", in.Text}}}}}
	if !a.post(p.ID, "smb_message_echoes", to, a.envelope("smb_message_echoes", v)) {
		c.reply(http.StatusConflict, simError("no verified callback: POST /_sim/webhook first"))
		return
	}
	c.reply(http.StatusCreated, map[string]string{"message_id": id})
}

type cloudBatchBody struct {
	// Messages from customers, to one or several business numbers.
	Messages []cloudInboundBody `json:"messages"`
	// Statuses of sent messages.
	Statuses []cloudStatusBody `json:"statuses"`
	// Split is how Meta groups them in the one POST: "value" (default:
	// all of a number's messages in one change value, all its statuses in
	// another) or "entry" (one entry per message or status).
	Split string `json:"split"`
}

// simBatch posts several messages and statuses, for several numbers, in
// one signed notification, as Meta batches them.
func (a *CloudAPI) simBatch(c *cloudCall) {
	var in cloudBatchBody
	if !decodeSim(c.w, c.body, &in) {
		return
	}
	if len(in.Messages)+len(in.Statuses) == 0 || (in.Split != "" && in.Split != "value" && in.Split != "entry") {
		c.reply(http.StatusBadRequest, simError(`"messages" or "statuses" are required; "split" is value or entry`))
		return
	}
	var values []metaValue
	byNumber := map[string]int{} // phone id → index in values (split value)
	add := func(p PhoneNumber, fill func(*metaValue)) {
		i, seen := byNumber[p.ID]
		if in.Split == "entry" || !seen {
			values = append(values, a.value(p))
			i = len(values) - 1
			byNumber[p.ID] = i
		}
		fill(&values[i])
	}
	var ids []string
	for _, m := range in.Messages {
		p, ok := a.target(c, m.PhoneNumberID)
		if !ok {
			return
		}
		contact, msg, err := a.inboundMessage(p, m)
		if err != nil {
			c.reply(http.StatusBadRequest, simError(err.Error()))
			return
		}
		ids = append(ids, objectGet(msg, "id").(string))
		add(p, func(v *metaValue) { v.Contacts, v.Messages = append(v.Contacts, contact), append(v.Messages, msg) })
	}
	statusNumbers := map[string]int{}
	for _, s := range in.Statuses {
		p, ok := a.target(c, s.PhoneNumberID)
		if !ok {
			return
		}
		recipient := digitsOnly(s.RecipientID)
		if recipient == "" {
			recipient = wamidPhone(s.MessageID)
		}
		if s.MessageID == "" || recipient == "" || !slices.Contains(metaStatusValues, s.Status) {
			c.reply(http.StatusBadRequest, simError(`each status needs "message_id", "status" and a recipient`))
			return
		}
		st := a.statusEntry(s.MessageID, recipient, s.Status, s.BizOpaque, s.ErrorCode)
		// statuses never share a value with messages
		i, seen := statusNumbers[p.ID]
		if in.Split == "entry" || !seen {
			values = append(values, a.value(p))
			i = len(values) - 1
			statusNumbers[p.ID] = i
		}
		values[i].Statuses = append(values[i].Statuses, st)
	}
	if !a.post(a.opts.PhoneNumberID, "messages", "batch", a.envelope("messages", values...)) {
		c.reply(http.StatusConflict, simError("no verified callback: POST /_sim/webhook first"))
		return
	}
	c.reply(http.StatusCreated, map[string]any{"message_ids": ids, "entries": len(values)})
}

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// wamid builds a message id shaped like Meta's: base64 of a small protobuf
// carrying the contact's number and a 16-byte hex id.
func wamid(phone string) string {
	raw := []byte{0x1c, 0x18, byte(len(phone))}
	raw = append(raw, phone...)
	raw = append(raw, 0x15, 0x02, 0x00, 0x12, 0x18, 0x20)
	raw = append(raw, strings.ToUpper(randomHex(16))...)
	raw = append(raw, 0x00)
	return "wamid." + base64.StdEncoding.EncodeToString(raw)
}

// wamidPhone recovers the contact number from a wamid built like Meta's;
// "" when the id has another shape.
func wamidPhone(id string) string {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(id, "wamid."))
	if err != nil || len(raw) < 3 || raw[0] != 0x1c || raw[1] != 0x18 || int(raw[2]) > len(raw)-3 {
		return ""
	}
	return digitsOnly(string(raw[3 : 3+int(raw[2])]))
}
