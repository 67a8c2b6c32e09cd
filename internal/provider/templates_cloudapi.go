package provider

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Message templates: outside the customer's 24-hour window the Cloud API
// takes only a template Meta approved. The hub lists them from the
// number's WhatsApp Business Account (GET /{waba-id}/message_templates);
// the account is found as Meta's embedded signup does, from the token's
// whatsapp_business_management targets (GET /debug_token), and the one
// among them holding the number (GET /{waba-id}/phone_numbers).

// Template is one approved message template in one language.
type Template struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Language string `json:"language"`
	Category string `json:"category"`
	// ParameterFormat is POSITIONAL ({{1}}) or NAMED ({{first_name}}).
	ParameterFormat string `json:"parameter_format"`
	// HeaderFormat is TEXT, IMAGE, VIDEO or DOCUMENT (empty: no header).
	// A media header is filled at send time with a link.
	HeaderFormat string `json:"header_format"`
	Header       string `json:"header"` // a TEXT header's text
	Body         string `json:"body"`
	Footer       string `json:"footer"`
	// HeaderParams and BodyParams name the variables to fill, in order.
	HeaderParams []string `json:"header_parameters"`
	BodyParams   []string `json:"body_parameters"`
	// Buttons are the template's buttons in their order; a URL button
	// whose link ends in a variable takes its suffix at send time.
	Buttons []TemplateButton `json:"buttons"`
	// Unsupported says why the hub cannot send it (a location header, a
	// button with a variable other than a URL's suffix), empty when it can.
	Unsupported string `json:"unsupported"`
}

// TemplateMessage is a template send: the values of its variables.
type TemplateMessage struct {
	Name, Language           string
	NamedParams              bool
	HeaderParams, BodyParams []TemplateParam
	// MediaType (image, video, document) and HeaderMedia fill a media
	// header; Buttons the URL buttons' suffixes and a copy-code button's
	// code.
	MediaType   string
	HeaderMedia *TemplateMedia
	Buttons     []TemplateButtonSend
}

// TemplateParam is one variable's value.
type TemplateParam struct {
	Name string `json:"name,omitempty"` // NAMED templates
	Text string `json:"text"`
}

var templateVar = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// vars lists a text's variables in their first-seen order.
func vars(text string) []string {
	var out []string
	for _, m := range templateVar.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// Render fills a text's variables.
func Render(text string, names []string, params []TemplateParam) string {
	return templateVar.ReplaceAllStringFunc(text, func(v string) string {
		name := templateVar.FindStringSubmatch(v)[1]
		for i, p := range params {
			if p.Name == name || (p.Name == "" && i < len(names) && names[i] == name) {
				return p.Text
			}
		}
		return v
	})
}

// Templates lists the number's approved templates (Cloud API only).
func (n *Number) Templates(ctx context.Context) ([]Template, error) {
	c, ok := n.m.(*cloudAPI)
	if !ok {
		return nil, &SendError{Code: ErrCodeUnsupported, Final: true, Msg: "message templates are a Cloud API feature"}
	}
	return c.templates(ctx, n.t, n.Instance)
}

type graphPage[T any] struct {
	Data   []T `json:"data"`
	Paging struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// wabaOf finds the WhatsApp Business Account holding the number.
func (c *cloudAPI) wabaOf(ctx context.Context, t Target, inst *Instance) (string, error) {
	var dbg struct {
		Data struct {
			IsValid        bool `json:"is_valid"`
			GranularScopes []struct {
				Scope     string   `json:"scope"`
				TargetIDs []string `json:"target_ids"`
			} `json:"granular_scopes"`
		} `json:"data"`
	}
	q := url.Values{"input_token": {t.Creds.AccessToken}}
	if _, _, err := c.http.JSON(ctx, "GET", c.url(t, "/debug_token?"+q.Encode()), c.hdr(t), nil, &dbg); err != nil {
		return "", graphSendError(err)
	}
	var wabas []string
	for _, g := range dbg.Data.GranularScopes {
		if g.Scope == "whatsapp_business_management" {
			wabas = append(wabas, g.TargetIDs...)
		}
	}
	for _, w := range wabas {
		if len(w) > 40 {
			continue
		}
		var page graphPage[struct {
			ID string `json:"id"`
		}]
		if _, _, err := c.http.JSON(ctx, "GET", c.url(t, "/"+url.PathEscape(w)+"/phone_numbers?fields=id&limit=100"), c.hdr(t), nil, &page); err != nil {
			return "", graphSendError(err)
		}
		for _, p := range page.Data {
			if p.ID == inst.PhoneNumberID {
				return w, nil
			}
		}
	}
	return "", &SendError{Code: ErrCodeRejected, Final: true,
		Msg: "the token manages no WhatsApp Business Account with this number (it needs the whatsapp_business_management permission)"}
}

type graphTemplate struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Language        string `json:"language"`
	Status          string `json:"status"`
	Category        string `json:"category"`
	ParameterFormat string `json:"parameter_format"`
	Components      []struct {
		Type    string `json:"type"`
		Format  string `json:"format"`
		Text    string `json:"text"`
		Buttons []struct {
			Type string `json:"type"`
			Text string `json:"text"`
			URL  string `json:"url"`
		} `json:"buttons"`
	} `json:"components"`
}

// maxTemplatePages bounds the walk (Meta allows 250 names per account,
// each in several languages).
const maxTemplatePages = 20

func (c *cloudAPI) templates(ctx context.Context, t Target, inst *Instance) ([]Template, error) {
	waba, err := c.wabaOf(ctx, t, inst)
	if err != nil {
		return nil, err
	}
	q := url.Values{"status": {"APPROVED"}, "limit": {"100"},
		"fields": {"id,name,language,status,category,parameter_format,components"}}
	out := []Template{}
	for page := 0; page < maxTemplatePages; page++ {
		var p graphPage[graphTemplate]
		if _, _, err := c.http.JSON(ctx, "GET", c.url(t, "/"+url.PathEscape(waba)+"/message_templates?"+q.Encode()), c.hdr(t), nil, &p); err != nil {
			return nil, graphSendError(err)
		}
		for _, g := range p.Data {
			if g.Status == "APPROVED" && g.Name != "" && g.Language != "" {
				out = append(out, fromGraph(g))
			}
		}
		if p.Paging.Next == "" || p.Paging.Cursors.After == "" {
			break
		}
		q.Set("after", p.Paging.Cursors.After)
	}
	return out, nil
}

func fromGraph(g graphTemplate) Template {
	tp := Template{ID: g.ID, Name: g.Name, Language: g.Language, Category: g.Category,
		ParameterFormat: firstNonEmpty(g.ParameterFormat, "POSITIONAL"), Buttons: []TemplateButton{}}
	for _, c := range g.Components {
		switch strings.ToUpper(c.Type) {
		case "HEADER":
			switch f := strings.ToUpper(firstNonEmpty(c.Format, "TEXT")); f {
			case "TEXT":
				tp.HeaderFormat, tp.Header, tp.HeaderParams = f, c.Text, vars(c.Text)
			case "IMAGE", "VIDEO", "DOCUMENT":
				tp.HeaderFormat = f
			default:
				tp.Unsupported = "its header is a " + strings.ToLower(f) + ", which the hub does not fill in"
			}
		case "BODY":
			tp.Body, tp.BodyParams = c.Text, vars(c.Text)
		case "FOOTER":
			tp.Footer = c.Text
		case "BUTTONS":
			for i, b := range c.Buttons {
				tb, ok := readButton(i, b.Type, b.Text, b.URL)
				if !ok {
					tp.Unsupported = "a button's link has a variable the hub cannot fill in (only a URL's ending)"
				}
				tp.Buttons = append(tp.Buttons, tb)
			}
		}
	}
	return tp
}

// Template finds one approved template by name and language.
func (n *Number) Template(ctx context.Context, name, language string) (*Template, error) {
	list, err := n.Templates(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Name == name && list[i].Language == language {
			return &list[i], nil
		}
	}
	return nil, &SendError{Code: ErrCodeTemplate, Final: true, Msg: "no approved template " + name + " in " + language}
}
