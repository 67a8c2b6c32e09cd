package gateway_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// A template with an image header and a URL button whose link ends in a
// variable is listed with both; missing or bad media, or a missing
// button suffix, is a field error and nothing is queued; a full send
// reaches Meta with the components the Cloud API expects.
func TestTemplateMediaHeaderAndURLButton(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newCloudBridge(t, dialect)
		b.meta.AddTemplate(providersim.CloudTemplate{Name: "pedido_enviado", Language: "pt_BR", HeaderFormat: "IMAGE",
			Body: "Olá {{1}}, o seu pedido saiu para entrega.", Footer: "Loja Azul",
			Buttons: []providersim.CloudButton{{Type: "QUICK_REPLY", Text: "Falar com a loja"},
				{Type: "URL", Text: "Rastrear", URL: "https://loja.example.com/rastreio/{{1}}"}}})
		conv, path := b.closedWindow(t, "5521987650072", "Ana")
		tpl := b.listedTemplate(t, path, "pedido_enviado")
		buttons, _ := tpl["buttons"].([]any)
		if tpl == nil || tpl["unsupported"] != "" || tpl["header_format"] != "IMAGE" || len(buttons) != 2 ||
			buttons[1].(map[string]any)["variable"] != true || buttons[1].(map[string]any)["index"] != float64(1) ||
			buttons[0].(map[string]any)["variable"] != false {
			t.Fatalf("listed template = %v", tpl)
		}

		body := []map[string]string{{"text": "Ana"}}
		button := []map[string]any{{"index": 1, "text": "BR123"}}
		image := map[string]string{"link": "https://cdn.example.com/pedido.jpg"}
		for name, c := range map[string]struct {
			req   map[string]any
			field string
		}{
			"no media":     {map[string]any{"body_parameters": body, "button_parameters": button}, "header_media.link"},
			"empty link":   {map[string]any{"body_parameters": body, "button_parameters": button, "header_media": map[string]string{"link": ""}}, "header_media.link"},
			"http link":    {map[string]any{"body_parameters": body, "button_parameters": button, "header_media": map[string]string{"link": "http://cdn.example.com/p.jpg"}}, "header_media.link"},
			"filename":     {map[string]any{"body_parameters": body, "button_parameters": button, "header_media": map[string]string{"link": image["link"], "filename": "p.jpg"}}, "header_media.filename"},
			"no suffix":    {map[string]any{"body_parameters": body, "header_media": image}, "button_parameters"},
			"wrong button": {map[string]any{"body_parameters": body, "header_media": image, "button_parameters": []map[string]any{{"index": 0, "text": "x"}}}, "button_parameters"},
			"space":        {map[string]any{"body_parameters": body, "header_media": image, "button_parameters": []map[string]any{{"index": 1, "text": "BR 123"}}}, "button_parameters"},
		} {
			c.req["name"], c.req["language"] = "pedido_enviado", "pt_BR"
			r := b.do(t, "POST", path, c.req)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 400 on %s", name, r.Status, r.Body, c.field)
			}
		}
		if n := b.h.Count(`SELECT count(*) FROM gateway_work WHERE kind = 'outbound'`); n != 0 || len(b.meta.Sent()) != 0 {
			t.Fatalf("%d items queued (%d sent) by refused requests", n, len(b.meta.Sent()))
		}

		ans := b.do(t, "POST", path, map[string]any{"name": "pedido_enviado", "language": "pt_BR", "body_parameters": body,
			"header_media": image, "button_parameters": button}).Expect(t, 202).JSON(t)
		want := "https://cdn.example.com/pedido.jpg\n\nOlá Ana, o seu pedido saiu para entrega.\n\n_Loja Azul_\n\n" +
			"Rastrear: https://loja.example.com/rastreio/BR123"
		if ans["text"] != want {
			t.Fatalf("send = %v", ans)
		}
		sent, comps := b.sentComponents(t)
		wantComps := []any{
			map[string]any{"type": "header", "parameters": []any{map[string]any{"type": "image", "image": map[string]any{"link": "https://cdn.example.com/pedido.jpg"}}}},
			map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "Ana"}}},
			map[string]any{"type": "button", "sub_type": "url", "index": "1", "parameters": []any{map[string]any{"type": "text", "text": "BR123"}}},
		}
		if !reflect.DeepEqual(comps, wantComps) || sent.Template != "pedido_enviado/pt_BR" || sent.Media == nil ||
			sent.Media.Link != "https://cdn.example.com/pedido.jpg" {
			t.Fatalf("sent = %+v\ncomponents = %s", sent, sent.Components)
		}
		apptest.Eventually(t, "the template in Chatwoot", func() bool { _, ok := b.bySource(conv)[sent.ID]; return ok })
		if m := b.bySource(conv)[sent.ID]; m.Content != want || m.MessageType != "outgoing" {
			t.Fatalf("chatwoot message = %+v", m)
		}
	})
}
