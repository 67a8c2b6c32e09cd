package gateway_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// A coupon template's copy-code button is listed as taking a code; a send
// without it, with one over Meta's 15 characters or with a space is a
// field error and nothing is queued; a full send reaches Meta with the
// copy_code component (Meta refuses a coupon template without it).
func TestTemplateCopyCodeButton(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newCloudBridge(t, dialect)
		b.meta.AddTemplate(providersim.CloudTemplate{Name: "cupom_natal", Language: "pt_BR", Category: "MARKETING",
			Body: "Olá {{1}}, use o código abaixo e ganhe 10% no Natal.",
			Buttons: []providersim.CloudButton{{Type: "COPY_CODE", Text: "Copiar código", Example: "NATAL10"},
				{Type: "QUICK_REPLY", Text: "Parar promoções"}}})
		conv, path := b.closedWindow(t, "5521987650073", "Bia")
		tpl := b.listedTemplate(t, path, "cupom_natal")
		buttons, _ := tpl["buttons"].([]any)
		if tpl == nil || tpl["unsupported"] != "" || len(buttons) != 2 ||
			buttons[0].(map[string]any)["coupon"] != true || buttons[0].(map[string]any)["type"] != "COPY_CODE" ||
			buttons[1].(map[string]any)["coupon"] != false {
			t.Fatalf("listed template = %v", tpl)
		}

		body := []map[string]string{{"text": "Bia"}}
		for name, code := range map[string]any{
			"no code":   nil,
			"too long":  "NATAL10NATAL10NA",
			"space":     "NATAL 10",
			"empty":     " ",
			"quick one": "x", // given to the quick reply, which takes nothing
		} {
			req := map[string]any{"name": "cupom_natal", "language": "pt_BR", "body_parameters": body}
			switch {
			case name == "quick one":
				req["button_parameters"] = []map[string]any{{"index": 0, "text": "NATAL10"}, {"index": 1, "text": code}}
			case code != nil:
				req["button_parameters"] = []map[string]any{{"index": 0, "text": code}}
			}
			r := b.do(t, "POST", path, req)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"button_parameters"`) {
				t.Errorf("%s: %d %s, want 400 on button_parameters", name, r.Status, r.Body)
			}
		}
		if n := b.h.Count(`SELECT count(*) FROM gateway_work WHERE kind = 'outbound'`); n != 0 || len(b.meta.Sent()) != 0 {
			t.Fatalf("%d items queued (%d sent) by refused requests", n, len(b.meta.Sent()))
		}

		ans := b.do(t, "POST", path, map[string]any{"name": "cupom_natal", "language": "pt_BR", "body_parameters": body,
			"button_parameters": []map[string]any{{"index": 0, "text": "NATAL10"}}}).Expect(t, 202).JSON(t)
		want := "Olá Bia, use o código abaixo e ganhe 10% no Natal.\n\nCopiar código: NATAL10"
		if ans["text"] != want {
			t.Fatalf("send = %v", ans)
		}
		sent, comps := b.sentComponents(t)
		wantComps := []any{
			map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "Bia"}}},
			map[string]any{"type": "button", "sub_type": "copy_code", "index": "0",
				"parameters": []any{map[string]any{"type": "coupon_code", "coupon_code": "NATAL10"}}},
		}
		if !reflect.DeepEqual(comps, wantComps) || sent.Template != "cupom_natal/pt_BR" {
			t.Fatalf("sent = %+v\ncomponents = %s", sent, sent.Components)
		}
		apptest.Eventually(t, "the template in Chatwoot", func() bool { _, ok := b.bySource(conv)[sent.ID]; return ok })
		if m := b.bySource(conv)[sent.ID]; m.Content != want || m.MessageType != "outgoing" {
			t.Fatalf("chatwoot message = %+v", m)
		}
	})
}
