package providersim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
}

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
	Components []struct {
		Type       string `json:"type"`
		Parameters []struct {
			Type          string `json:"type"`
			Text          string `json:"text"`
			ParameterName string `json:"parameter_name"`
		} `json:"parameters"`
	} `json:"components"`
}

// checkTemplate validates a template send as Meta does and returns the
// text the customer reads, or the Graph error.
func (a *CloudAPI) checkTemplate(raw json.RawMessage) (string, *graphErr) {
	var in templateSendBody
	if err := json.Unmarshal(raw, &in); err != nil || in.Name == "" || in.Language == nil || in.Language.Code == "" {
		e := invalidParam("The parameters template['name'] and template['language']['code'] are required.")
		return "", &e
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
		return "", &graphErr{Message: "(#132001) Template name does not exist in the translation", Type: "OAuthException", Code: 132001,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: fmt.Sprintf("template name (%s) does not exist in %s", in.Name, in.Language.Code)}}
	}
	if t.Status == "PAUSED" {
		return "", &graphErr{Message: "(#132015) Template is Paused", Type: "OAuthException", Code: 132015,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Cannot send message as the template is paused due to low quality."}}
	}
	if t.Status == "DISABLED" {
		return "", &graphErr{Message: "(#132016) Template is Disabled", Type: "OAuthException", Code: 132016,
			ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Template has been paused too many times due to low quality and is now permanently disabled."}}
	}
	given := map[string][]string{}
	for _, c := range in.Components {
		kind := strings.ToLower(c.Type)
		if kind != "header" && kind != "body" {
			continue // buttons carry their own parameters
		}
		for i, p := range c.Parameters {
			if p.Type != "text" {
				e := invalidParam(fmt.Sprintf("Parameter %s['parameters'][%d]['type'] must be text for a text template.", kind, i))
				return "", &e
			}
			if strings.ContainsAny(p.Text, "\n\t") || strings.Contains(p.Text, "    ") {
				return "", &graphErr{Message: "(#132018) There was an issue with the parameters in your template.", Type: "OAuthException",
					Code: 132018, ErrorData: &graphErrData{MessagingProduct: "whatsapp", Details: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"}}
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
			return "", &graphErr{Message: "(#132000) Number of parameters does not match the expected number of params", Type: "OAuthException",
				Code: 132000, ErrorData: &graphErrData{MessagingProduct: "whatsapp",
					Details: fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", kind, len(vals), len(names))}}
		}
		byName := map[string]string{}
		for i, v := range vals {
			pn, txt, _ := strings.Cut(v, "\x00")
			if t.ParameterFormat == "NAMED" {
				if !slices.Contains(names, pn) {
					e := invalidParam(fmt.Sprintf("Parameter name %q is not in the template's %s.", pn, kind))
					return "", &e
				}
				byName[pn] = txt
			} else {
				byName[names[i]] = txt
			}
		}
		return tplVar.ReplaceAllStringFunc(text, func(m string) string { return byName[tplVar.FindStringSubmatch(m)[1]] }), nil
	}
	var parts []string
	if t.HeaderFormat == "TEXT" {
		h, e := render("header", t.Header)
		if e != nil {
			return "", e
		}
		parts = append(parts, h)
	}
	b, e := render("body", t.Body)
	if e != nil {
		return "", e
	}
	parts = append(parts, b)
	if t.Footer != "" {
		parts = append(parts, t.Footer)
	}
	return strings.Join(parts, "\n"), nil
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
