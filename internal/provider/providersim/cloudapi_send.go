package providersim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// The Cloud API send endpoint, POST /{ver}/{phone_number_id}/messages:
// messages of every type, mark-as-read and the typing indicator, with
// Graph's answers and errors and the status webhooks Meta sends after.

// CloudSend is one message the hub sent, as GET /_sim/sent lists it.
type CloudSend struct {
	ID            string         `json:"id"` // the wamid
	PhoneNumberID string         `json:"phone_number_id"`
	To            string         `json:"to"`    // as the hub wrote it
	WaID          string         `json:"wa_id"` // the account it reached (Brazil: WhatsApp's form)
	Type          string         `json:"type"`  // text, image, audio, video, document, sticker, reaction, template, location, contacts, interactive
	Text          string         `json:"text,omitempty"`
	Media         *CloudSentFile `json:"media,omitempty"`
	Template      string         `json:"template,omitempty"` // name/language
	// Components are a template send's components as the hub sent them
	// (header media, body values, URL buttons' suffixes).
	Components json.RawMessage `json:"components,omitempty"`
	Context    string          `json:"context,omitempty"` // the wamid replied to
	Status     string          `json:"status"`            // the last status sent for it: accepted, sent, delivered, read, failed
	Error      int             `json:"error,omitempty"`   // the failed status's error code
	At         string          `json:"at"`
}

// CloudSentFile is a media send's file: by link or by uploaded id.
type CloudSentFile struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
}

type cloudSendBody struct {
	MessagingProduct string                 `json:"messaging_product"`
	RecipientType    string                 `json:"recipient_type"`
	To               string                 `json:"to"`
	Type             string                 `json:"type"`
	Status           string                 `json:"status"`     // mark as read
	MessageID        string                 `json:"message_id"` // mark as read
	TypingIndicator  *struct{ Type string } `json:"typing_indicator"`
	Context          *struct {
		MessageID string `json:"message_id"`
	} `json:"context"`
	BizOpaque string `json:"biz_opaque_callback_data"`
	Text      *struct {
		Body       string `json:"body"`
		PreviewURL bool   `json:"preview_url"`
	} `json:"text"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Template *struct {
		Name     string `json:"name"`
		Language *struct {
			Code string `json:"code"`
		} `json:"language"`
		Components json.RawMessage `json:"components"`
	} `json:"template"`
	Location *struct {
		Latitude, Longitude float64
		Name, Address       string
	} `json:"location"`
	Contacts    json.RawMessage `json:"contacts"`
	Interactive json.RawMessage `json:"interactive"`
}

type cloudMediaRef struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

var cloudMediaTypes = []string{"image", "audio", "video", "document", "sticker"}

var cloudSendTypes = append([]string{"text", "reaction", "template", "location", "contacts", "interactive"}, cloudMediaTypes...)

// invalidParam is Graph's (#100) with the detail Meta gives.
func invalidParam(details string) graphErr {
	return graphErr{Message: "(#100) Invalid parameter", Type: "OAuthException", Code: 100,
		ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: details}}
}

func (a *CloudAPI) sendMessage(c *cloudCall, phoneID string) {
	a.mu.Lock()
	p := a.numbers[phoneID]
	a.mu.Unlock()
	if p == nil {
		c.graphError(http.StatusBadRequest, unsupported(c.r.Method, phoneID+"/messages"))
		return
	}
	var in cloudSendBody
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.graphError(http.StatusBadRequest, invalidParam("Request body is not valid JSON"))
		return
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(c.body, &raw)
	if in.MessagingProduct != "whatsapp" {
		c.graphError(http.StatusBadRequest, invalidParam("The parameter messaging_product is required."))
		return
	}
	if in.Status != "" { // mark as read, with an optional typing indicator
		a.markRead(c, p, in.Status, in.MessageID, in.TypingIndicator != nil)
		return
	}
	if in.Type == "" {
		in.Type = "text"
	}
	switch {
	case !slices.Contains(cloudSendTypes, in.Type):
		c.graphError(http.StatusBadRequest, invalidParam(fmt.Sprintf("Param type must be one of {%s}.", strings.Join(cloudSendTypes, ", "))))
		return
	case in.To == "":
		c.graphError(http.StatusBadRequest, invalidParam("The parameter to is required."))
		return
	}
	rec := CloudSend{PhoneNumberID: p.ID, To: in.To, Type: in.Type}
	if in.Context != nil {
		rec.Context = in.Context.MessageID
	}
	switch in.Type {
	case "text":
		if in.Text == nil || in.Text.Body == "" {
			c.graphError(http.StatusBadRequest, invalidParam("The parameter text['body'] is required."))
			return
		}
		rec.Text = in.Text.Body
	case "reaction":
		if in.Reaction == nil || in.Reaction.MessageID == "" {
			c.graphError(http.StatusBadRequest, invalidParam("The parameter reaction['message_id'] is required."))
			return
		}
		rec.Text, rec.Context = in.Reaction.Emoji, in.Reaction.MessageID
	case "template":
		got, gerr := a.checkTemplate(raw["template"])
		if gerr != nil {
			c.graphError(http.StatusBadRequest, *gerr)
			return
		}
		rec.Template, rec.Text, rec.Media = in.Template.Name+"/"+in.Template.Language.Code, got.Text, got.Media
		if len(in.Template.Components) > 0 && string(in.Template.Components) != "null" {
			rec.Components = in.Template.Components
		}
	case "location":
		if in.Location == nil {
			c.graphError(http.StatusBadRequest, invalidParam("The parameter location is required."))
			return
		}
		rec.Text = fmt.Sprintf("%g,%g %s", in.Location.Latitude, in.Location.Longitude, in.Location.Name)
	case "contacts", "interactive":
		if len(raw[in.Type]) == 0 {
			c.graphError(http.StatusBadRequest, invalidParam("The parameter "+in.Type+" is required."))
			return
		}
	default: // media
		var ref cloudMediaRef
		if err := json.Unmarshal(raw[in.Type], &ref); err != nil || (ref.ID == "") == (ref.Link == "") {
			c.graphError(http.StatusBadRequest, invalidParam("Please specify either an id or a link for "+in.Type+"."))
			return
		}
		if ref.ID != "" && a.mediaByID(ref.ID) == nil {
			c.graphError(http.StatusBadRequest, graphErr{Message: "(#131053) Media upload error", Type: "OAuthException", Code: 131053,
				ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Media id " + ref.ID + " does not exist."}})
			return
		}
		rec.Media = &CloudSentFile{ID: ref.ID, Link: ref.Link, Caption: ref.Caption, Filename: ref.Filename, Voice: ref.Voice}
		rec.Text = ref.Caption
	}
	if !a.allow(p.ID) {
		c.graphError(http.StatusBadRequest, graphErr{Message: "(#130429) Rate limit hit", Type: "OAuthException", Code: 130429,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Cloud API message throughput has been reached."}})
		return
	}
	input := in.To
	waID := canonicalBR(digitsOnly(input))
	id := wamid(waID)
	now := a.now()
	rec.ID, rec.WaID, rec.At, rec.Status = id, waID, jsTime(now), "accepted"

	a.mu.Lock()
	unknown := a.absent[waID]
	free := in.Type != "template"
	closed := free && !a.inWindow(p.ID, waID, now)
	sync := a.opts.SyncSendErrors
	a.mu.Unlock()
	fail := 0
	switch {
	case unknown:
		fail = 131026
	case closed:
		fail = 131047
	}
	if fail != 0 && sync {
		c.graphError(http.StatusBadRequest, sendError(fail))
		return
	}
	ans := object{{"messaging_product", "whatsapp"}, {"contacts", []object{{{"input", input}, {"wa_id", waID}}}}}
	msg := object{{"id", id}}
	if in.Type == "template" {
		msg = append(msg, kv{"message_status", "accepted"})
	}
	c.reply(http.StatusOK, append(ans, kv{"messages", []object{msg}}))

	a.mu.Lock()
	a.sent = append(a.sent, rec)
	if n := len(a.sent); n >= 2*a.opts.SentLog {
		a.sent = slices.Clone(a.sent[n-a.opts.SentLog:])
	}
	a.mu.Unlock()
	if fail != 0 {
		a.status(p, id, waID, "failed", in.BizOpaque, fail)
		return
	}
	a.status(p, id, waID, "sent", in.BizOpaque, 0)
	for _, st := range []string{"delivered", "read"} {
		if statusRank(a.opts.AutoStatus) >= statusRank(st) {
			a.status(p, id, waID, st, in.BizOpaque, 0)
		}
	}
}

// sendError is the Graph error (or status error) for a send Meta refuses.
func sendError(code int) graphErr {
	switch code {
	case 131047:
		return graphErr{Message: "(#131047) Re-engagement message", Type: "OAuthException", Code: 131047,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp",
				Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}
	default:
		return graphErr{Message: "(#131026) Message undeliverable", Type: "OAuthException", Code: 131026,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Message Undeliverable."}}
	}
}

// markRead is {status:"read", message_id}: the business reads the
// customer's message (blue ticks on the customer's phone), optionally
// showing the typing indicator for up to 25 seconds.
func (a *CloudAPI) markRead(c *cloudCall, p *PhoneNumber, status, messageID string, typing bool) {
	if status != "read" || messageID == "" {
		c.graphError(http.StatusBadRequest, invalidParam("The parameter status must be read, with message_id."))
		return
	}
	a.mu.Lock()
	a.reads = append(a.reads, CloudRead{PhoneNumberID: p.ID, MessageID: messageID, Typing: typing, At: jsTime(a.now())})
	if n := len(a.reads); n >= 2*a.opts.SentLog {
		a.reads = slices.Clone(a.reads[n-a.opts.SentLog:])
	}
	a.mu.Unlock()
	c.reply(http.StatusOK, map[string]bool{"success": true})
}

// CloudRead is a mark-as-read (and typing indicator) the hub sent.
type CloudRead struct {
	PhoneNumberID, MessageID string
	Typing                   bool
	At                       string
}

// Reads lists the mark-as-read calls, oldest first.
func (a *CloudAPI) Reads() []CloudRead {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.reads)
}

// Sent lists the messages the hub sent, oldest first.
func (a *CloudAPI) Sent() []CloudSend {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.sent)
}

func (a *CloudAPI) simSent(c *cloudCall) {
	list := a.Sent()
	if list == nil {
		list = []CloudSend{}
	}
	c.reply(http.StatusOK, map[string]any{"data": list})
}

// allow applies the settable throughput (Options.MessagesPerSecond per
// number; Meta's default tier is 80).
func (a *CloudAPI) allow(phoneID string) bool {
	if a.opts.MessagesPerSecond <= 0 {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.limiters[phoneID]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(a.opts.MessagesPerSecond), max(1, int(a.opts.MessagesPerSecond)))
		a.limiters[phoneID] = l
	}
	return l.Allow()
}

// inWindow is the 24-hour customer service window: the customer wrote to
// this number within the last day. Called with a.mu held.
func (a *CloudAPI) inWindow(phoneID, waID string, now time.Time) bool {
	last, ok := a.lastInbound[phoneID+"/"+waID]
	return ok && now.Sub(last) < 24*time.Hour
}

// OpenWindow records the customer writing to a number at t (as an inbound
// message does), opening the 24-hour window.
func (a *CloudAPI) OpenWindow(phoneNumberID, waID string, t time.Time) {
	a.mu.Lock()
	a.lastInbound[phoneNumberID+"/"+canonicalBR(digitsOnly(waID))] = t
	a.mu.Unlock()
}

// SetOnWhatsApp says whether a number has a WhatsApp account; sends to
// one without fail with 131026.
func (a *CloudAPI) SetOnWhatsApp(number string, on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if on {
		delete(a.absent, canonicalBR(digitsOnly(number)))
	} else {
		a.absent[canonicalBR(digitsOnly(number))] = true
	}
}

var cloudStatusOrder = []string{"accepted", "sent", "delivered", "read"}

func statusRank(s string) int { return slices.Index(cloudStatusOrder, s) }
