package provider

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What an agent fills in a template, checked before anything is queued,
// and the send Meta's Cloud API expects: a media header is one parameter
// {"type":"image","image":{"link":…}} (video, document with an optional
// filename alike), a URL button's dynamic suffix is a component
// {"type":"button","sub_type":"url","index":"<position>","parameters":[{"type":"text","text":…}]},
// a copy-code button's code (at most 15 characters, required: Meta refuses
// the send without it) a component
// {"type":"button","sub_type":"copy_code","index":"<position>","parameters":[{"type":"coupon_code","coupon_code":…}]}.

// TemplateButton is one button of a template.
type TemplateButton struct {
	Index int    `json:"index"` // its position among the template's buttons
	Type  string `json:"type"`  // URL, QUICK_REPLY, PHONE_NUMBER, COPY_CODE, …
	Text  string `json:"text"`
	URL   string `json:"url,omitempty"` // a URL button's link; a final {{1}} marks its suffix
	// Variable says the send must give the URL's suffix.
	Variable bool `json:"variable"`
	// Coupon says it is a copy-code button: the send must give the code
	// the customer copies.
	Coupon bool `json:"coupon"`
}

// couponMax is the longest code a copy-code button takes.
const couponMax = 15

// TemplateMedia is the media of a header, by link.
type TemplateMedia struct {
	Link     string `json:"link"`
	Filename string `json:"filename,omitempty"` // DOCUMENT only: the name the customer sees
}

// TemplateButtonParam is a URL button's suffix or a copy-code button's
// code, by the button's index.
type TemplateButtonParam struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
}

// TemplateButtonSend is a button's value in a send; Coupon marks a
// copy-code button's code.
type TemplateButtonSend struct {
	Index  int    `json:"index"`
	Text   string `json:"text"`
	Coupon bool   `json:"coupon,omitempty"`
}

// takesValue says the send gives this button a value.
func (b TemplateButton) takesValue() bool { return b.Variable || b.Coupon }

// TemplateValues are the values an agent gives.
type TemplateValues struct {
	Header, Body []TemplateParam
	HeaderMedia  *TemplateMedia
	Buttons      []TemplateButtonParam
}

// ParamError is a value the template refuses, named by its request field.
type ParamError struct{ Field, Msg string }

func (e *ParamError) Error() string { return e.Msg }

// readButton reads a button of Meta's template; ok is false when it has a
// variable the hub cannot fill (Meta allows one, at the end of a URL).
func readButton(i int, kind, text, link string) (TemplateButton, bool) {
	tb := TemplateButton{Index: i, Type: strings.ToUpper(kind), Text: text, URL: link}
	tb.Coupon = tb.Type == "COPY_CODE"
	n := len(vars(link))
	if n == 0 {
		return tb, true
	}
	tb.Variable = tb.Type == "URL" && n == 1 && strings.HasSuffix(strings.TrimSpace(link), "}}")
	return tb, tb.Variable
}

func (tp *Template) mediaHeader() bool {
	return tp.HeaderFormat == "IMAGE" || tp.HeaderFormat == "VIDEO" || tp.HeaderFormat == "DOCUMENT"
}

// Check validates the values an agent gave for a template.
func (tp *Template) Check(v TemplateValues) error {
	if tp.Unsupported != "" {
		return &ParamError{"name", "this template cannot be sent from the hub: " + tp.Unsupported}
	}
	check := func(where string, names []string, got []TemplateParam) error {
		field := where + "_parameters"
		if len(got) != len(names) {
			return &ParamError{field, "the " + where + " needs " + itoa(len(names)) + " values, got " + itoa(len(got))}
		}
		for i, p := range got {
			if err := checkText(p.Text, 1024); err != "" {
				return &ParamError{field, "the " + where + " value for {{" + names[i] + "}} " + err}
			}
			if tp.ParameterFormat == "NAMED" && p.Name != "" && p.Name != names[i] {
				return &ParamError{field, "the " + where + " value " + itoa(i+1) + " is for {{" + names[i] + "}}, not {{" + p.Name + "}}"}
			}
		}
		return nil
	}
	if err := check("header", tp.HeaderParams, v.Header); err != nil {
		return err
	}
	if err := check("body", tp.BodyParams, v.Body); err != nil {
		return err
	}
	if err := tp.checkMedia(v.HeaderMedia); err != nil {
		return err
	}
	return tp.checkButtons(v.Buttons)
}

// checkText refuses what Meta refuses in a parameter (#132018) and what
// it cannot be: empty, too long.
func checkText(s string, max int) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "is empty"
	case len(s) > max:
		return "is over " + itoa(max) + " characters"
	case strings.ContainsAny(s, "\n\t") || strings.Contains(s, "    "):
		return "has a new line, a tab or four spaces"
	}
	return ""
}

func (tp *Template) checkMedia(m *TemplateMedia) error {
	if !tp.mediaHeader() {
		if m != nil {
			return &ParamError{"header_media", "this template's header has no media"}
		}
		return nil
	}
	kind := strings.ToLower(tp.HeaderFormat)
	if m == nil || strings.TrimSpace(m.Link) == "" {
		return &ParamError{"header_media.link", "this template's header is a " + kind + ": give the https link of the " + kind}
	}
	u, err := url.Parse(m.Link)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || len(m.Link) > 2048 ||
		strings.ContainsFunc(m.Link, unicode.IsSpace) {
		return &ParamError{"header_media.link", "must be an https:// link the customer's WhatsApp can download (at most 2048 characters)"}
	}
	if m.Filename != "" {
		if kind != "document" {
			return &ParamError{"header_media.filename", "only a document header has a file name"}
		}
		if len(m.Filename) > 240 || strings.ContainsAny(m.Filename, `/\`) || strings.ContainsFunc(m.Filename, unicode.IsControl) {
			return &ParamError{"header_media.filename", "must be a file name of at most 240 characters, without / or \\"}
		}
	}
	return nil
}

func (tp *Template) checkButtons(given []TemplateButtonParam) error {
	seen := map[int]bool{}
	for _, p := range given {
		i := slices.IndexFunc(tp.Buttons, func(b TemplateButton) bool { return b.Index == p.Index && b.takesValue() })
		if i < 0 {
			return &ParamError{"button_parameters", "the template has no URL button with a variable nor copy-code button at index " + itoa(p.Index)}
		}
		if seen[p.Index] {
			return &ParamError{"button_parameters", "the button at index " + itoa(p.Index) + " is given twice"}
		}
		seen[p.Index] = true
		b := tp.Buttons[i]
		what := "the link ending of the button " + strconv.Quote(b.Text)
		if b.Coupon {
			what = "the code of the button " + strconv.Quote(b.Text)
		}
		if err := checkText(p.Text, 2000); err != "" {
			return &ParamError{"button_parameters", what + " " + err}
		}
		// Meta counts a code's characters, not its bytes.
		if b.Coupon && utf8.RuneCountInString(p.Text) > couponMax {
			return &ParamError{"button_parameters", what + " is over " + itoa(couponMax) + " characters"}
		}
		if strings.ContainsFunc(p.Text, unicode.IsSpace) {
			return &ParamError{"button_parameters", what + " has a space"}
		}
	}
	for _, b := range tp.Buttons {
		switch {
		case b.Variable && !seen[b.Index]:
			return &ParamError{"button_parameters", "the button " + strconv.Quote(b.Text) + " needs the ending of its link"}
		case b.Coupon && !seen[b.Index]:
			return &ParamError{"button_parameters", "the button " + strconv.Quote(b.Text) + " needs the code the customer copies"}
		}
	}
	return nil
}

// Message builds the send of the template with these values.
func (tp *Template) Message(v TemplateValues) *TemplateMessage {
	named := tp.ParameterFormat == "NAMED"
	name := func(names []string, in []TemplateParam) []TemplateParam {
		out := make([]TemplateParam, len(in))
		for i, p := range in {
			out[i] = TemplateParam{Text: p.Text}
			if named {
				out[i].Name = names[i]
			}
		}
		return out
	}
	m := &TemplateMessage{Name: tp.Name, Language: tp.Language, NamedParams: named,
		HeaderParams: name(tp.HeaderParams, v.Header), BodyParams: name(tp.BodyParams, v.Body)}
	if tp.mediaHeader() && v.HeaderMedia != nil {
		media := *v.HeaderMedia
		m.MediaType, m.HeaderMedia = strings.ToLower(tp.HeaderFormat), &media
	}
	for _, p := range v.Buttons {
		coupon := slices.ContainsFunc(tp.Buttons, func(b TemplateButton) bool { return b.Index == p.Index && b.Coupon })
		m.Buttons = append(m.Buttons, TemplateButtonSend{Index: p.Index, Text: p.Text, Coupon: coupon})
	}
	slices.SortFunc(m.Buttons, func(a, b TemplateButtonSend) int { return a.Index - b.Index })
	return m
}

// Text is what the customer reads, as Chatwoot shows it: a media header
// as its link, URL buttons as their label and link, a copy-code button as
// its label and code.
func (tp *Template) Text(v TemplateValues) string {
	var parts []string
	switch {
	case tp.mediaHeader() && v.HeaderMedia != nil:
		parts = append(parts, v.HeaderMedia.Link)
	case tp.Header != "":
		parts = append(parts, "*"+Render(tp.Header, tp.HeaderParams, v.Header)+"*")
	}
	parts = append(parts, Render(tp.Body, tp.BodyParams, v.Body))
	if tp.Footer != "" {
		parts = append(parts, "_"+tp.Footer+"_")
	}
	var links []string
	for _, b := range tp.Buttons {
		if b.Coupon {
			for _, p := range v.Buttons {
				if p.Index == b.Index {
					links = append(links, b.Text+": "+p.Text)
				}
			}
			continue
		}
		if b.Type != "URL" {
			continue
		}
		link := b.URL
		if b.Variable {
			for _, p := range v.Buttons {
				if p.Index == b.Index {
					link = templateVar.ReplaceAllLiteralString(link, p.Text)
				}
			}
		}
		links = append(links, b.Text+": "+link)
	}
	if len(links) > 0 {
		parts = append(parts, strings.Join(links, "\n"))
	}
	return strings.Join(parts, "\n\n")
}

// graphTemplateBody is the send's template object.
func graphTemplateBody(m *TemplateMessage) map[string]any {
	params := func(in []TemplateParam) []map[string]any {
		out := make([]map[string]any, 0, len(in))
		for _, p := range in {
			v := map[string]any{"type": "text", "text": p.Text}
			if m.NamedParams {
				v["parameter_name"] = p.Name
			}
			out = append(out, v)
		}
		return out
	}
	comps := []map[string]any{}
	switch {
	case m.HeaderMedia != nil && m.MediaType != "":
		media := map[string]any{"link": m.HeaderMedia.Link}
		if m.MediaType == "document" && m.HeaderMedia.Filename != "" {
			media["filename"] = m.HeaderMedia.Filename
		}
		comps = append(comps, map[string]any{"type": "header", "parameters": []map[string]any{{"type": m.MediaType, m.MediaType: media}}})
	case len(m.HeaderParams) > 0:
		comps = append(comps, map[string]any{"type": "header", "parameters": params(m.HeaderParams)})
	}
	if len(m.BodyParams) > 0 {
		comps = append(comps, map[string]any{"type": "body", "parameters": params(m.BodyParams)})
	}
	for _, b := range m.Buttons {
		param, sub := map[string]any{"type": "text", "text": b.Text}, "url"
		if b.Coupon {
			param, sub = map[string]any{"type": "coupon_code", "coupon_code": b.Text}, "copy_code"
		}
		comps = append(comps, map[string]any{"type": "button", "sub_type": sub, "index": strconv.Itoa(b.Index),
			"parameters": []map[string]any{param}})
	}
	t := map[string]any{"name": m.Name, "language": map[string]any{"code": m.Language}}
	if len(comps) > 0 {
		t["components"] = comps
	}
	return t
}
