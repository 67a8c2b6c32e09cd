package providersim

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook notification shapes, keys in the order of
// testdata/meta-cloud-*.json.
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
		MessagingProduct string        `json:"messaging_product"`
		Metadata         metaMetadata  `json:"metadata"`
		Contacts         []metaContact `json:"contacts,omitempty"`
		Messages         []metaInbound `json:"messages,omitempty"`
		Statuses         []metaStatus  `json:"statuses,omitempty"`
	}
	metaMetadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	}
	metaContact struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	}
	metaInbound struct {
		From      string `json:"from"`
		ID        string `json:"id"`
		Timestamp string `json:"timestamp"`
		Text      struct {
			Body string `json:"body"`
		} `json:"text"`
		Type string `json:"type"`
	}
	metaStatus struct {
		ID           string            `json:"id"`
		Status       string            `json:"status"`
		Timestamp    string            `json:"timestamp"`
		RecipientID  string            `json:"recipient_id"`
		Conversation *metaConversation `json:"conversation,omitempty"`
		Pricing      *metaPricing      `json:"pricing,omitempty"`
		Errors       []metaError       `json:"errors,omitempty"`
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

type cloudInboundBody struct {
	From          string `json:"from"` // the contact's wa_id (digits)
	Text          string `json:"text"`
	Name          string `json:"name"`            // profile name; default "Sim Contact"
	PhoneNumberID string `json:"phone_number_id"` // which business number receives it; default the first
}

type cloudStatusBody struct {
	MessageID     string `json:"message_id"`
	Status        string `json:"status"` // sent, delivered, read, failed, played
	RecipientID   string `json:"recipient_id"`
	PhoneNumberID string `json:"phone_number_id"`
}

// envelope wraps one change value for the account's WABA.
func (a *CloudAPI) envelope(p PhoneNumber, fill func(*metaValue)) metaNotification {
	v := metaValue{MessagingProduct: "whatsapp", Metadata: metaMetadata{DisplayPhoneNumber: p.DisplayPhoneNumber, PhoneNumberID: p.ID}}
	fill(&v)
	return metaNotification{Object: "whatsapp_business_account",
		Entry: []metaEntry{{ID: a.wabaID, Changes: []metaChange{{Value: v, Field: "messages"}}}}}
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

func (a *CloudAPI) simMessage(c *cloudCall) {
	var in cloudInboundBody
	if !decodeSim(c.w, c.body, &in) {
		return
	}
	from := digitsOnly(in.From)
	if len(from) < 8 || len(from) > 15 || in.Text == "" {
		c.reply(http.StatusBadRequest, simError(`"from" (8-15 digits) and "text" are required`))
		return
	}
	p, ok := a.target(c, in.PhoneNumberID)
	if !ok {
		return
	}
	if in.Name == "" {
		in.Name = "Sim Contact"
	}
	var ct metaContact
	ct.Profile.Name, ct.WaID = in.Name, from
	var m metaInbound
	m.From, m.ID, m.Timestamp, m.Type = from, wamid(from), unixString(a.now()), "text"
	m.Text.Body = in.Text
	n := a.envelope(p, func(v *metaValue) { v.Contacts, v.Messages = []metaContact{ct}, []metaInbound{m} })
	if !a.post(p.ID, "messages", n) {
		c.reply(http.StatusConflict, simError("no verified callback: POST /_sim/webhook first"))
		return
	}
	c.reply(http.StatusCreated, map[string]string{"message_id": m.ID})
}

var metaStatusValues = []string{"sent", "delivered", "read", "failed", "played"}

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
	now := a.now()
	st := metaStatus{ID: in.MessageID, Status: in.Status, Timestamp: unixString(now), RecipientID: digitsOnly(in.RecipientID)}
	if st.RecipientID == "" {
		st.RecipientID = wamidPhone(in.MessageID)
	}
	if st.RecipientID == "" {
		c.reply(http.StatusBadRequest, simError(`"recipient_id" is required when "message_id" does not carry the number`))
		return
	}
	switch in.Status {
	case "sent", "delivered": // conversation and pricing ride on these, not on read
		conv := &metaConversation{ID: randomHex(16), ExpirationTimestamp: unixString(now.Add(24 * time.Hour))}
		conv.Origin.Type = "service"
		st.Conversation, st.Pricing = conv, &metaPricing{Billable: true, PricingModel: "CBP", Category: "service"}
	case "failed":
		e := metaError{Code: 131026, Title: "Message undeliverable", Message: "Message undeliverable"}
		e.ErrorData.Details = "Message Undeliverable."
		st.Errors = []metaError{e}
	}
	n := a.envelope(p, func(v *metaValue) { v.Statuses = []metaStatus{st} })
	if !a.post(p.ID, "statuses", n) {
		c.reply(http.StatusConflict, simError("no verified callback: POST /_sim/webhook first"))
		return
	}
	c.reply(http.StatusCreated, map[string]string{"message_id": in.MessageID, "status": in.Status})
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
