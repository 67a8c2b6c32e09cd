package provider

import (
	"encoding/json"
	"strings"
	"testing"
)

// Meta's template nodes and the agent's values are outside input: no
// template crashes the reader, a template's variables are each named
// once, and a filled variable shows its value.
func FuzzTemplateRead(f *testing.F) {
	f.Add(`{"name":"x","language":"pt_BR","status":"APPROVED","components":[{"type":"BODY","text":"Olá {{1}}, {{2}} {{1}}"}]}`, "Ana")
	f.Add(`{"name":"y","language":"en_US","parameter_format":"NAMED","components":[{"type":"HEADER","format":"TEXT","text":"{{ a }}"},{"type":"BODY","text":"{{b}}"},{"type":"BUTTONS","buttons":[{"type":"URL","url":"https://x/{{1}}"}]}]}`, "v")
	f.Add(`{"components":[{"type":"HEADER","format":"IMAGE"}]}`, "")
	f.Add(`{"components":[{"type":"HEADER","format":"DOCUMENT"},{"type":"BODY","text":"x"},{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"ok"},{"type":"URL","text":"Ver","url":"https://x.test/p/{{1}}"}]}]}`, "abc")
	f.Add(`{"components":[{"type":"BODY","text":"Ganhe 10%"},{"type":"BUTTONS","buttons":[{"type":"COPY_CODE","text":"Copiar","example":["NATAL10"]}]}]}`, "NATAL10")
	f.Fuzz(func(t *testing.T, raw, value string) {
		var g graphTemplate
		if json.Unmarshal([]byte(raw), &g) != nil {
			return
		}
		tp := fromGraph(g)
		seen := map[string]bool{}
		for _, v := range tp.BodyParams {
			if seen[v] {
				t.Fatalf("variable %q listed twice in %v", v, tp.BodyParams)
			}
			seen[v] = true
		}
		if strings.Contains(value, "{{") || strings.Contains(value, "}}") {
			return
		}
		fill := func(names []string) []TemplateParam {
			out := make([]TemplateParam, len(names))
			for i := range out {
				out[i] = TemplateParam{Text: value}
			}
			return out
		}
		h, b := fill(tp.HeaderParams), fill(tp.BodyParams)
		if got := Render(tp.Body, tp.BodyParams, b); len(tp.BodyParams) > 0 && !strings.Contains(got, value) {
			t.Fatalf("the value is not in %q (from %q)", got, tp.Body)
		}
		var buttons []TemplateButtonParam
		for _, btn := range tp.Buttons {
			if btn.Variable || btn.Coupon {
				buttons = append(buttons, TemplateButtonParam{Index: btn.Index, Text: value})
			}
		}
		v := TemplateValues{Header: h, Body: b, HeaderMedia: &TemplateMedia{Link: "https://cdn.example.test/" + value}, Buttons: buttons}
		_ = tp.Check(v)
		_ = tp.Text(v)
		_ = graphTemplateBody(tp.Message(v))
	})
}
