package provider

import (
	"encoding/json"
	"testing"
)

// A copy-code button's code is counted in characters, as Meta counts it:
// fourteen accented letters pass, sixteen letters do not.
func TestCouponCodeCountsCharacters(t *testing.T) {
	var g graphTemplate
	raw := `{"name":"cupom","language":"pt_BR","components":[{"type":"BODY","text":"Ganhe 10%"},` +
		`{"type":"BUTTONS","buttons":[{"type":"COPY_CODE","text":"Copiar","example":["NATAL10"]}]}]}`
	if err := json.Unmarshal([]byte(raw), &g); err != nil {
		t.Fatal(err)
	}
	tp := fromGraph(g)
	if len(tp.Buttons) != 1 || !tp.Buttons[0].Coupon || tp.Unsupported != "" {
		t.Fatalf("template = %+v", tp)
	}
	for code, ok := range map[string]bool{"ÇÃOÉÍÓÚÂÊÔÀÜÑÇ": true, "NATAL10": true, "NATAL10NATAL10NA": false, "": false} {
		err := tp.Check(TemplateValues{Buttons: []TemplateButtonParam{{Index: 0, Text: code}}})
		if (err == nil) != ok {
			t.Errorf("code %q: %v, want accepted %v", code, err, ok)
		}
	}
}
