package apidoc

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

type optT[T any] struct {
	Set   bool
	Null  bool
	Value T
}

type Widget struct {
	ID      string            `json:"id"`
	Tags    []string          `json:"tags"`
	Note    string            `json:"note,omitempty"`
	Parent  *Widget           `json:"parent"`
	At      time.Time         `json:"at"`
	Meta    map[string]int    `json:"meta"`
	Raw     json.RawMessage   `json:"raw"`
	Hidden  string            `json:"-"`
	private string            //nolint:unused // must not appear
	Extra   map[string]string `json:"extra,omitempty"`
}

type widgetInput struct {
	Name optT[string] `json:"name"`
	Size int          `json:"size"`
}

// Reflection follows encoding/json: omitempty fields are optional, nil
// slices and maps may be null, pointers are nullable, exported structs
// become components (recursion by $ref), request bodies require nothing
// and refuse unknown fields, opt[T] reads as a nullable T.
func TestReflection(t *testing.T) {
	r := newReflector()
	ref := r.of(Widget{}).(Schema)
	if ref["$ref"] != "#/components/schemas/ApidocWidget" {
		t.Fatalf("ref: %v", ref)
	}
	w := r.components["ApidocWidget"].(Schema)
	props := w["properties"].(map[string]any)
	req := strings.Join(w["required"].([]string), ",")
	if req != "id,tags,parent,at,meta,raw" {
		t.Errorf("required: %s", req)
	}
	if _, ok := props["Hidden"]; ok || props["private"] != nil {
		t.Error("hidden or unexported fields are described")
	}
	js, _ := json.Marshal(props)
	for _, want := range []string{`"tags":{"items":{"type":"string"},"type":["array","null"]}`, `"format":"date-time"`,
		`"parent":{"oneOf":[{"$ref":"#/components/schemas/ApidocWidget"},{"type":"null"}]}`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("properties lack %s: %s", want, js)
		}
	}
	r.request = true
	in := r.of(widgetInput{}).(Schema)
	r.request = false
	if in["additionalProperties"] != false || in["required"] != nil {
		t.Errorf("request body: %v", in)
	}
	name, _ := json.Marshal(in["properties"].(map[string]any)["name"])
	if string(name) != `{"type":["string","null"]}` {
		t.Errorf("opt[string]: %s", name)
	}
}
