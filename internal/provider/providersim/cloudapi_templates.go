package providersim

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Message templates of the WhatsApp Business Account, as the Business
// Management API serves them (GET /{waba-id}/message_templates), and the
// checks Meta makes when one is sent (type "template").

// CloudTemplate is one template in one language.
type CloudTemplate struct {
	ID              string
	Name            string
	Language        string // e.g. "pt_BR", "en_US"
	Status          string // APPROVED, PENDING, REJECTED, PAUSED, DISABLED
	Category        string // UTILITY, MARKETING, AUTHENTICATION
	ParameterFormat string // POSITIONAL ({{1}}) or NAMED ({{first_name}})
	Header          string // a TEXT header
	HeaderFormat    string // TEXT (default when Header is set), IMAGE, VIDEO, DOCUMENT
	Body            string
	Footer          string
	Buttons         []CloudButton
}

// CloudButton is one button of a template: a URL button's link may end
// in {{1}}, the suffix the send gives; a COPY_CODE button copies the code
// the send gives (at most 15 characters), Example being the one shown at
// review.
type CloudButton struct {
	Type    string // URL, QUICK_REPLY, PHONE_NUMBER, COPY_CODE
	Text    string
	URL     string
	Example string
}

// couponMax is the longest code a copy-code button takes.
const couponMax = 15

// defaultTemplates are what a new account has: Meta's sample and a few
// Brazilian ones, one still pending review.
func defaultTemplates() []CloudTemplate {
	return []CloudTemplate{
		{Name: "hello_world", Language: "en_US", Status: "APPROVED", Category: "UTILITY", Header: "Hello World",
			Body:   "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.",
			Footer: "WhatsApp Business Platform sample message"},
		{Name: "retomar_atendimento", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY",
			Body: "Olá {{1}}, aqui é da {{2}}. Podemos continuar o seu atendimento?"},
		{Name: "pedido_pronto", Language: "pt_BR", Status: "APPROVED", Category: "UTILITY", ParameterFormat: "NAMED",
			Header: "Pedido {{pedido}}", Body: "Olá {{nome}}, o seu pedido está pronto para retirada.", Footer: "Responda para falar com a equipe"},
		{Name: "promocao_dezembro", Language: "pt_BR", Status: "PENDING", Category: "MARKETING",
			Body: "Olá {{1}}, as ofertas de dezembro chegaram!"},
	}
}

// AddTemplate adds (or replaces, by name and language) a template and
// returns its id.
func (a *CloudAPI) AddTemplate(t CloudTemplate) string {
	if t.Status == "" {
		t.Status = "APPROVED"
	}
	if t.Category == "" {
		t.Category = "UTILITY"
	}
	if t.ParameterFormat == "" {
		t.ParameterFormat = "POSITIONAL"
	}
	if t.Header != "" && t.HeaderFormat == "" {
		t.HeaderFormat = "TEXT"
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, old := range a.templates {
		if old.Name == t.Name && old.Language == t.Language {
			t.ID = old.ID
			a.templates[i] = t
			return t.ID
		}
	}
	if t.ID == "" {
		t.ID = randomDigits(16)
	}
	a.templates = append(a.templates, t)
	return t.ID
}

var tplVar = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

func tplVars(s string) []string {
	var out []string
	for _, m := range tplVar.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// node renders the template as Graph does, components in Meta's order.
func (t CloudTemplate) node() object {
	comps := []object{}
	example := func(kind string, names []string, named bool) object {
		if len(names) == 0 {
			return nil
		}
		if named {
			ex := []object{}
			for _, n := range names {
				ex = append(ex, object{{"param_name", n}, {"example", "exemplo"}})
			}
			return object{{kind + "_text_named_params", ex}}
		}
		ex := make([]string, len(names))
		for i := range ex {
			ex[i] = "exemplo"
		}
		if kind == "header" {
			return object{{"header_text", ex}}
		}
		return object{{"body_text", [][]string{ex}}}
	}
	named := t.ParameterFormat == "NAMED"
	if t.HeaderFormat != "" {
		c := object{{"type", "HEADER"}, {"format", t.HeaderFormat}}
		if t.HeaderFormat == "TEXT" {
			c = append(c, kv{"text", t.Header})
			if ex := example("header", tplVars(t.Header), named); ex != nil {
				c = append(c, kv{"example", ex})
			}
		} else {
			c = append(c, kv{"example", object{{"header_handle", []string{"https://scontent.whatsapp.net/v/t61/sample-" + strings.ToLower(t.HeaderFormat)}}}})
		}
		comps = append(comps, c)
	}
	body := object{{"type", "BODY"}, {"text", t.Body}}
	if ex := example("body", tplVars(t.Body), named); ex != nil {
		body = append(body, kv{"example", ex})
	}
	comps = append(comps, body)
	if t.Footer != "" {
		comps = append(comps, object{{"type", "FOOTER"}, {"text", t.Footer}})
	}
	if len(t.Buttons) > 0 {
		var bs []object
		for _, b := range t.Buttons {
			n := object{{"type", b.Type}, {"text", b.Text}}
			if b.Type == "COPY_CODE" {
				n = append(n, kv{"example", []string{cmp.Or(b.Example, "CODIGO10")}})
			}
			if b.URL != "" {
				n = append(n, kv{"url", b.URL})
				if len(tplVars(b.URL)) > 0 {
					n = append(n, kv{"example", []string{tplVar.ReplaceAllString(b.URL, "exemplo")}})
				}
			}
			bs = append(bs, n)
		}
		comps = append(comps, object{{"type", "BUTTONS"}, {"buttons", bs}})
	}
	return object{{"name", t.Name}, {"parameter_format", t.ParameterFormat}, {"components", comps}, {"language", t.Language},
		{"status", t.Status}, {"category", t.Category}, {"id", t.ID}}
}

// listTemplates is GET /{waba-id}/message_templates with Graph's filters
// (status, name, language), limit and cursor paging.
func (a *CloudAPI) listTemplates(c *cloudCall, waba string) {
	if waba != a.wabaID {
		c.graphError(http.StatusBadRequest, unsupported(c.r.Method, waba))
		return
	}
	q := c.r.URL.Query()
	limit := 25
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = min(v, 1000)
	}
	start := 0
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(string(decodeCursor(v)))
		if err != nil {
			c.graphError(http.StatusBadRequest, invalidParam("The after cursor is not valid."))
			return
		}
		start = n
	}
	a.mu.Lock()
	var list []CloudTemplate
	for _, t := range a.templates {
		if (q.Get("status") == "" || strings.EqualFold(q.Get("status"), t.Status)) &&
			(q.Get("name") == "" || strings.Contains(t.Name, q.Get("name"))) &&
			(q.Get("language") == "" || q.Get("language") == t.Language) {
			list = append(list, t)
		}
	}
	a.mu.Unlock()
	fields := parseFields(q.Get("fields"))
	data := []object{}
	end := min(start+limit, len(list))
	for i := min(start, end); i < end; i++ {
		n := list[i].node()
		if len(fields) > 0 {
			var picked object
			for _, f := range n {
				if f.k == "id" || slices.Contains(fields, f.k) {
					picked = append(picked, f)
				}
			}
			n = picked
		}
		data = append(data, n)
	}
	paging := object{{"cursors", object{{"before", encodeCursor(strconv.Itoa(start))}, {"after", encodeCursor(strconv.Itoa(end))}}}}
	if end < len(list) {
		next := *c.r.URL
		nq := next.Query()
		nq.Set("after", encodeCursor(strconv.Itoa(end)))
		next.RawQuery = nq.Encode()
		paging = append(paging, kv{"next", "https://graph.facebook.com" + next.RequestURI()})
	}
	c.reply(http.StatusOK, object{{"data", data}, {"paging", paging}})
}

// listPhoneNumbers is GET /{waba-id}/phone_numbers.
func (a *CloudAPI) listPhoneNumbers(c *cloudCall, waba string) {
	if waba != a.wabaID {
		c.graphError(http.StatusBadRequest, unsupported(c.r.Method, waba))
		return
	}
	a.mu.Lock()
	data := []object{}
	for _, id := range a.order {
		p := a.numbers[id]
		data = append(data, object{{"verified_name", p.VerifiedName}, {"code_verification_status", p.CodeVerificationStatus},
			{"display_phone_number", formatPhone(p.DisplayPhoneNumber)}, {"quality_rating", p.QualityRating},
			{"platform_type", p.PlatformType}, {"throughput", map[string]string{"level": p.ThroughputLevel}}, {"id", p.ID}})
	}
	a.mu.Unlock()
	c.reply(http.StatusOK, object{{"data", data}, {"paging", object{{"cursors", object{{"before", encodeCursor("0")},
		{"after", encodeCursor(strconv.Itoa(len(data)))}}}}}})
}

// templateSendBody is the template object of a send.
type templateSendBody struct {
	Name     string `json:"name"`
	Language *struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []templateSendComponent `json:"components"`
}

type templateSendComponent struct {
	Type       string              `json:"type"`
	SubType    string              `json:"sub_type"`
	Index      json.RawMessage     `json:"index"` // "0" (Meta also takes 0)
	Parameters []templateSendParam `json:"parameters"`
}

type templateSendParam struct {
	Type          string         `json:"type"`
	Text          string         `json:"text"`
	CouponCode    string         `json:"coupon_code"`
	ParameterName string         `json:"parameter_name"`
	Image         *cloudMediaRef `json:"image"`
	Video         *cloudMediaRef `json:"video"`
	Document      *cloudMediaRef `json:"document"`
}

func (p templateSendParam) media(kind string) *cloudMediaRef {
	switch kind {
	case "image":
		return p.Image
	case "video":
		return p.Video
	case "document":
		return p.Document
	}
	return nil
}

// templateSent is what a valid template send rendered: the text the
// customer reads and a media header's file.
type templateSent struct {
	Text  string
	Media *CloudSentFile
}

func countMismatch(where string, got, want int) *graphErr {
	return &graphErr{Message: "(#132000) Number of parameters does not match the expected number of params", Type: "OAuthException",
		Code: 132000, ErrorData: &graphErrData{MessagingProduct: "whatsapp",
			Details: fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", where, got, want)}}
}

func formatMismatch(details string) *graphErr {
	return &graphErr{Message: "(#132012) Parameter format does not match format in the created template", Type: "OAuthException",
		Code: 132012, ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: details}}
}

var badParamText = &graphErr{Message: "(#132018) There was an issue with the parameters in your template.", Type: "OAuthException",
	Code: 132018, ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"}}

func invalidParamErr(details string) *graphErr { e := invalidParam(details); return &e }

// checkTemplate validates a template send as Meta does and returns what
// the customer gets, or the Graph error: the template approved in that
// language, exactly its parameters (132000), a media header by link or
// id of the header's type (132012), each URL button with a variable
// given its suffix by index.
func (a *CloudAPI) checkTemplate(raw json.RawMessage) (*templateSent, *graphErr) {
	var in templateSendBody
	if err := json.Unmarshal(raw, &in); err != nil || in.Name == "" || in.Language == nil || in.Language.Code == "" {
		return nil, invalidParamErr("The parameters template['name'] and template['language']['code'] are required.")
	}
	a.mu.Lock()
	var t *CloudTemplate
	for i := range a.templates {
		if a.templates[i].Name == in.Name && a.templates[i].Language == in.Language.Code {
			c := a.templates[i]
			t = &c
		}
	}
	a.mu.Unlock()
	if t == nil || t.Status == "PENDING" || t.Status == "REJECTED" {
		return nil, &graphErr{Message: "(#132001) Template name does not exist in the translation", Type: "OAuthException", Code: 132001,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: fmt.Sprintf("template name (%s) does not exist in %s", in.Name, in.Language.Code)}}
	}
	if t.Status == "PAUSED" {
		return nil, &graphErr{Message: "(#132015) Template is Paused", Type: "OAuthException", Code: 132015,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Cannot send message as the template is paused due to low quality."}}
	}
	if t.Status == "DISABLED" {
		return nil, &graphErr{Message: "(#132016) Template is Disabled", Type: "OAuthException", Code: 132016,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Template has been paused too many times due to low quality and is now permanently disabled."}}
	}
	mediaKind := ""
	if t.HeaderFormat != "" && t.HeaderFormat != "TEXT" {
		mediaKind = strings.ToLower(t.HeaderFormat)
	}
	given := map[string][]string{}
	var header []templateSendParam
	buttons := map[int]string{}
	for _, c := range in.Components {
		kind := strings.ToLower(c.Type)
		switch kind {
		case "button":
			i, gerr := a.checkButton(t, c)
			if gerr != nil {
				return nil, gerr
			}
			if _, dup := buttons[i]; dup {
				return nil, invalidParamErr(fmt.Sprintf("The button at index %d is given twice.", i))
			}
			buttons[i] = cmp.Or(c.Parameters[0].CouponCode, c.Parameters[0].Text)
			continue
		case "header", "body":
		default:
			continue
		}
		if kind == "header" && mediaKind != "" {
			header = c.Parameters
			continue
		}
		for i, p := range c.Parameters {
			if p.Type != "text" {
				if kind == "header" {
					return nil, formatMismatch(fmt.Sprintf("header: parameter %d is a %s; the template's header is text", i, p.Type))
				}
				return nil, invalidParamErr(fmt.Sprintf("Parameter %s['parameters'][%d]['type'] must be text for a text template.", kind, i))
			}
			if strings.ContainsAny(p.Text, "\n\t") || strings.Contains(p.Text, "    ") {
				return nil, badParamText
			}
		}
		given[kind] = nil
		for _, p := range c.Parameters {
			given[kind] = append(given[kind], p.ParameterName+"\x00"+p.Text)
		}
	}
	render := func(kind, text string) (string, *graphErr) {
		names := tplVars(text)
		vals := given[kind]
		if len(vals) != len(names) {
			return "", countMismatch(kind, len(vals), len(names))
		}
		byName := map[string]string{}
		for i, v := range vals {
			pn, txt, _ := strings.Cut(v, "\x00")
			if t.ParameterFormat == "NAMED" {
				if !slices.Contains(names, pn) {
					return "", invalidParamErr(fmt.Sprintf("Parameter name %q is not in the template's %s.", pn, kind))
				}
				byName[pn] = txt
			} else {
				byName[names[i]] = txt
			}
		}
		return tplVar.ReplaceAllStringFunc(text, func(m string) string { return byName[tplVar.FindStringSubmatch(m)[1]] }), nil
	}
	out := &templateSent{}
	var parts []string
	switch {
	case mediaKind != "":
		f, gerr := a.checkHeaderMedia(mediaKind, header)
		if gerr != nil {
			return nil, gerr
		}
		out.Media = f
	case t.HeaderFormat == "TEXT":
		h, e := render("header", t.Header)
		if e != nil {
			return nil, e
		}
		parts = append(parts, h)
	}
	b, e := render("body", t.Body)
	if e != nil {
		return nil, e
	}
	parts = append(parts, b)
	if t.Footer != "" {
		parts = append(parts, t.Footer)
	}
	for i, btn := range t.Buttons {
		if btn.Type == "COPY_CODE" {
			code, ok := buttons[i]
			if !ok {
				return nil, countMismatch(fmt.Sprintf("button at index %d", i), 0, 1)
			}
			parts = append(parts, btn.Text+": "+code)
			continue
		}
		if btn.Type != "URL" {
			continue
		}
		link := btn.URL
		if len(tplVars(link)) > 0 {
			suffix, ok := buttons[i]
			if !ok {
				return nil, countMismatch(fmt.Sprintf("button at index %d", i), 0, 1)
			}
			link = tplVar.ReplaceAllLiteralString(link, suffix)
		}
		parts = append(parts, btn.Text+": "+link)
	}
	out.Text = strings.Join(parts, "\n")
	return out, nil
}

// checkHeaderMedia checks a media header's one parameter.
func (a *CloudAPI) checkHeaderMedia(kind string, params []templateSendParam) (*CloudSentFile, *graphErr) {
	if len(params) != 1 {
		return nil, countMismatch("header", len(params), 1)
	}
	p := params[0]
	ref := p.media(kind)
	if p.Type != kind || ref == nil {
		return nil, formatMismatch(fmt.Sprintf("header: the parameter is a %s; the template's header is a %s", cmp.Or(p.Type, "text"), kind))
	}
	if (ref.ID == "") == (ref.Link == "") {
		return nil, invalidParamErr("Please specify either an id or a link for header " + kind + ".")
	}
	if ref.ID != "" && a.mediaByID(ref.ID) == nil {
		return nil, &graphErr{Message: "(#131053) Media upload error", Type: "OAuthException", Code: 131053,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Media id " + ref.ID + " does not exist."}}
	}
	if ref.Link != "" && !strings.HasPrefix(ref.Link, "https://") && !strings.HasPrefix(ref.Link, "http://") {
		return nil, invalidParamErr("Parameter header " + kind + "['link'] is not a valid URL.")
	}
	return &CloudSentFile{ID: ref.ID, Link: ref.Link, Caption: ref.Caption, Filename: ref.Filename}, nil
}

// checkButton checks a button component and returns its index: a URL
// button of the template whose link has a variable, with one text.
func (a *CloudAPI) checkButton(t *CloudTemplate, c templateSendComponent) (int, *graphErr) {
	idx := strings.Trim(string(c.Index), `"`)
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(t.Buttons) {
		return 0, invalidParamErr(fmt.Sprintf("Parameter button['index'] (%s) is not a button of the template.", idx))
	}
	b := t.Buttons[i]
	if !strings.EqualFold(c.SubType, b.Type) {
		return 0, invalidParamErr(fmt.Sprintf("The button at index %d is a %s button, not %s.", i, strings.ToLower(b.Type), c.SubType))
	}
	if b.Type == "COPY_CODE" {
		if len(c.Parameters) != 1 {
			return 0, countMismatch(fmt.Sprintf("button at index %d", i), len(c.Parameters), 1)
		}
		p := c.Parameters[0]
		if p.Type != "coupon_code" {
			return 0, formatMismatch(fmt.Sprintf("button at index %d: the parameter is a %s; a copy code button takes coupon_code", i, cmp.Or(p.Type, "text")))
		}
		if p.CouponCode == "" || utf8.RuneCountInString(p.CouponCode) > couponMax {
			return 0, invalidParamErr(fmt.Sprintf("Parameter button['parameters'][0]['coupon_code'] must be 1 to %d characters.", couponMax))
		}
		return i, nil
	}
	want := len(tplVars(b.URL))
	if want == 0 {
		return 0, invalidParamErr(fmt.Sprintf("The button at index %d has no variable to fill.", i))
	}
	if len(c.Parameters) != want {
		return 0, countMismatch(fmt.Sprintf("button at index %d", i), len(c.Parameters), want)
	}
	if c.Parameters[0].Type != "text" {
		return 0, formatMismatch(fmt.Sprintf("button at index %d: the parameter is a %s; a URL button takes text", i, c.Parameters[0].Type))
	}
	if strings.ContainsAny(c.Parameters[0].Text, "\n\t") || strings.Contains(c.Parameters[0].Text, "    ") {
		return 0, badParamText
	}
	return i, nil
}

// Graph's cursors are opaque base64 strings.
func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeCursor(s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}
