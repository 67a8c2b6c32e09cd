package providersim

import (
	"reflect"
	"strings"
	"testing"
)

// The templates list answers as the Business Management API does, with
// its filters and cursor paging; the account's phone numbers are listed.
func TestCloudAPITemplatesList(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	waba := h.base + "/v21.0/" + h.a.WABAID()
	status, raw := call(t, "GET", waba+"/message_templates?status=APPROVED&fields=name,language,status,components", h.auth, "")
	if status != 200 {
		t.Fatalf("templates = %d %s", status, raw)
	}
	data := decode(t, raw)["data"].([]any)
	names := []string{}
	for _, d := range data {
		m := d.(map[string]any)
		if m["status"] != "APPROVED" || m["id"] == nil || m["category"] != nil {
			t.Errorf("template node = %v (fields= picks, id always)", m)
		}
		names = append(names, m["name"].(string)+"/"+m["language"].(string))
	}
	if strings.Join(names, ",") != "hello_world/en_US,retomar_atendimento/pt_BR,pedido_pronto/pt_BR" {
		t.Errorf("approved templates = %v", names)
	}
	body := data[1].(map[string]any)["components"].([]any)[0].(map[string]any)
	if body["type"] != "BODY" || !strings.Contains(body["text"].(string), "{{1}}") || dig(body, "example", "body_text") == nil {
		t.Errorf("body component = %v", body)
	}
	// paging: one per page, the cursor leads to the next
	status, raw = call(t, "GET", waba+"/message_templates?limit=1", h.auth, "")
	page := decode(t, raw)
	after := dig(page, "paging", "cursors", "after").(string)
	if status != 200 || len(page["data"].([]any)) != 1 || dig(page, "paging", "next") == nil {
		t.Fatalf("first page = %d %s", status, raw)
	}
	_, raw = call(t, "GET", waba+"/message_templates?limit=10&after="+after, h.auth, "")
	if rest := decode(t, raw)["data"].([]any); len(rest) != 3 || rest[2].(map[string]any)["status"] != "PENDING" {
		t.Errorf("second page = %s", raw)
	}
	if status, raw := call(t, "GET", h.base+"/v21.0/123/message_templates", h.auth, ""); status != 400 || withoutTrace(t, raw)["code"] != float64(100) {
		t.Errorf("unknown WABA = %d %s", status, raw)
	}
	_, raw = call(t, "GET", waba+"/phone_numbers", h.auth, "")
	if nums := decode(t, raw)["data"].([]any); len(nums) != 1 || nums[0].(map[string]any)["id"] != h.a.PhoneNumberID() {
		t.Errorf("phone numbers = %s", raw)
	}
}

// A template send is checked like Meta checks it: the template must be
// approved in that language and get exactly its parameters; it goes out
// outside the 24-hour window where a text fails with 131047.
func TestCloudAPITemplateSend(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	send := func(tpl string) (int, map[string]any) {
		status, raw := call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","to":"5511987654321","type":"template","template":`+tpl+`}`)
		return status, decode(t, raw)
	}
	for tpl, code := range map[string]float64{
		`{"name":"nope","language":{"code":"pt_BR"}}`:                132001,
		`{"name":"hello_world","language":{"code":"pt_BR"}}`:         132001,
		`{"name":"promocao_dezembro","language":{"code":"pt_BR"}}`:   132001, // pending review
		`{"name":"retomar_atendimento","language":{"code":"pt_BR"}}`: 132000, // two body parameters missing
		`{"name":"retomar_atendimento","language":{"code":"pt_BR"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ana\nB"},{"type":"text","text":"x"}]}]}`:                                                                             132018,
		`{"name":"pedido_pronto","language":{"code":"pt_BR"},"components":[{"type":"header","parameters":[{"type":"text","parameter_name":"pedido","text":"42"}]},{"type":"body","parameters":[{"type":"text","parameter_name":"outro","text":"Ana"}]}]}`: 100,
	} {
		status, ans := send(tpl)
		if e, _ := ans["error"].(map[string]any); status != 400 || e["code"] != code {
			t.Errorf("%s = %d %v, want (#%v)", tpl, status, ans, code)
		}
	}
	status, ans := send(`{"name":"retomar_atendimento","language":{"code":"pt_BR"},"components":[{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"Loja Azul"}]}]}`)
	if status != 200 {
		t.Fatalf("template send = %d %v", status, ans)
	}
	id := ans["messages"].([]any)[0].(map[string]any)["id"].(string)
	status, ans = send(`{"name":"pedido_pronto","language":{"code":"pt_BR"},"components":[{"type":"header","parameters":[{"type":"text","parameter_name":"pedido","text":"42"}]},{"type":"body","parameters":[{"type":"text","parameter_name":"nome","text":"Ana"}]}]}`)
	if status != 200 {
		t.Fatalf("named template send = %d %v", status, ans)
	}
	flush(t, h.a)
	sent := h.a.Sent()
	if len(sent) != 2 || sent[0].ID != id || sent[0].Template != "retomar_atendimento/pt_BR" ||
		sent[0].Text != "Olá Ana, aqui é da Loja Azul. Podemos continuar o seu atendimento?" ||
		!strings.HasPrefix(sent[1].Text, "Pedido 42\nOlá Ana, o seu pedido") {
		t.Errorf("sent = %+v", sent)
	}
	if got := h.statusesOf(t, id); len(got) != 1 || got[0] != "sent" {
		t.Errorf("template statuses = %v (outside the window, a template still goes)", got)
	}
}

// A template with an image header and a URL button with a variable is
// listed with both, and its send is checked as Meta does: the header's
// media (missing or of another type: 132000, 132012), the button's suffix
// by index (missing: 132000); the send is listed with its components.
func TestCloudAPITemplateMediaAndButtons(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	h.a.AddTemplate(CloudTemplate{Name: "pedido_enviado", Language: "pt_BR", HeaderFormat: "IMAGE", Body: "Olá {{1}}, o seu pedido saiu.",
		Buttons: []CloudButton{{Type: "QUICK_REPLY", Text: "Falar com a loja"}, {Type: "URL", Text: "Rastrear", URL: "https://loja.example.com/r/{{1}}"}}})
	h.a.AddTemplate(CloudTemplate{Name: "nota_fiscal", Language: "pt_BR", HeaderFormat: "DOCUMENT", Body: "A sua nota."})
	_, raw := call(t, "GET", h.base+"/v21.0/"+h.a.WABAID()+"/message_templates?name=pedido_enviado", h.auth, "")
	comps := decode(t, raw)["data"].([]any)[0].(map[string]any)["components"].([]any)
	if hd := comps[0].(map[string]any); hd["format"] != "IMAGE" || dig(hd, "example", "header_handle") == nil {
		t.Errorf("header = %v", hd)
	}
	if bs := comps[2].(map[string]any); bs["type"] != "BUTTONS" || dig(bs, "buttons").([]any)[1].(map[string]any)["url"] != "https://loja.example.com/r/{{1}}" {
		t.Errorf("buttons = %v", bs)
	}
	send := func(tpl string) (int, map[string]any) {
		status, raw := call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","to":"5511987654321","type":"template","template":`+tpl+`}`)
		return status, decode(t, raw)
	}
	const (
		body   = `{"type":"body","parameters":[{"type":"text","text":"Ana"}]}`
		button = `{"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"BR123"}]}`
		image  = `{"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.com/p.jpg"}}]}`
	)
	tpl := func(comps ...string) string {
		return `{"name":"pedido_enviado","language":{"code":"pt_BR"},"components":[` + strings.Join(comps, ",") + `]}`
	}
	for name, c := range map[string]struct {
		tpl  string
		code float64
	}{
		"no header":      {tpl(body, button), 132000},
		"header empty":   {tpl(`{"type":"header","parameters":[]}`, body, button), 132000},
		"text header":    {tpl(`{"type":"header","parameters":[{"type":"text","text":"x"}]}`, body, button), 132012},
		"video header":   {tpl(`{"type":"header","parameters":[{"type":"video","video":{"link":"https://cdn.example.com/v.mp4"}}]}`, body, button), 132012},
		"no link":        {tpl(`{"type":"header","parameters":[{"type":"image","image":{}}]}`, body, button), 100},
		"no button":      {tpl(image, body), 132000},
		"button no text": {tpl(image, body, `{"type":"button","sub_type":"url","index":"1","parameters":[]}`), 132000},
		"quick reply":    {tpl(image, body, button, `{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"x"}]}`), 100},
		"bad index":      {tpl(image, body, `{"type":"button","sub_type":"url","index":"7","parameters":[{"type":"text","text":"x"}]}`), 100},
		"two bodies":     {tpl(image, `{"type":"body","parameters":[]}`, button), 132000},
	} {
		status, ans := send(c.tpl)
		if e, _ := ans["error"].(map[string]any); status != 400 || e["code"] != c.code {
			t.Errorf("%s: %d %v, want (#%v)", name, status, ans, c.code)
		}
	}
	if status, ans := send(tpl(image, body, button)); status != 200 {
		t.Fatalf("send = %d %v", status, ans)
	}
	doc := `{"name":"nota_fiscal","language":{"code":"pt_BR"},"components":[{"type":"header","parameters":[{"type":"document","document":{"link":"https://cdn.example.com/nf.pdf","filename":"NF 42.pdf"}}]}]}`
	if status, ans := send(doc); status != 200 {
		t.Fatalf("document send = %d %v", status, ans)
	}
	flush(t, h.a)
	sent := h.a.Sent()
	if len(sent) != 2 || sent[0].Media == nil || sent[0].Media.Link != "https://cdn.example.com/p.jpg" ||
		sent[0].Text != "Olá Ana, o seu pedido saiu.\nRastrear: https://loja.example.com/r/BR123" ||
		!strings.Contains(string(sent[0].Components), `"sub_type":"url"`) || sent[1].Media == nil || sent[1].Media.Filename != "NF 42.pdf" {
		t.Errorf("sent = %+v", sent)
	}
}

// A coupon template lists its copy-code button with the example code and
// takes the code at send as Meta does: missing (132000), not a
// coupon_code parameter (132012), empty or over 15 characters (100).
func TestCloudAPITemplateCopyCode(t *testing.T) {
	t.Parallel()
	h := newCloudHook(t, Options{}, nil)
	h.a.AddTemplate(CloudTemplate{Name: "cupom_natal", Language: "pt_BR", Category: "MARKETING", Body: "Ganhe 10% no Natal.",
		Buttons: []CloudButton{{Type: "COPY_CODE", Text: "Copiar código", Example: "NATAL10"}}})
	_, raw := call(t, "GET", h.base+"/v21.0/"+h.a.WABAID()+"/message_templates?name=cupom_natal", h.auth, "")
	comps := decode(t, raw)["data"].([]any)[0].(map[string]any)["components"].([]any)
	if btn := dig(comps[1].(map[string]any), "buttons").([]any)[0].(map[string]any); btn["type"] != "COPY_CODE" ||
		!reflect.DeepEqual(btn["example"], []any{"NATAL10"}) {
		t.Errorf("button = %v", btn)
	}
	send := func(comps string) (int, map[string]any) {
		status, raw := call(t, "POST", h.send, h.auth, `{"messaging_product":"whatsapp","to":"5511987654321","type":"template",`+
			`"template":{"name":"cupom_natal","language":{"code":"pt_BR"},"components":[`+comps+`]}}`)
		return status, decode(t, raw)
	}
	code := func(param string) string {
		return `{"type":"button","sub_type":"copy_code","index":"0","parameters":[` + param + `]}`
	}
	for name, c := range map[string]struct {
		comps string
		code  float64
	}{
		"no code":  {"", 132000},
		"no param": {code(""), 132000},
		"as text":  {code(`{"type":"text","text":"NATAL10"}`), 132012},
		"empty":    {code(`{"type":"coupon_code","coupon_code":""}`), 100},
		"too long": {code(`{"type":"coupon_code","coupon_code":"NATAL10NATAL10NA"}`), 100},
		"as url":   {`{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"x"}]}`, 100},
	} {
		status, ans := send(c.comps)
		if e, _ := ans["error"].(map[string]any); status != 400 || e["code"] != c.code {
			t.Errorf("%s: %d %v, want (#%v)", name, status, ans, c.code)
		}
	}
	if status, ans := send(code(`{"type":"coupon_code","coupon_code":"NATAL10"}`)); status != 200 {
		t.Fatalf("send = %d %v", status, ans)
	}
	flush(t, h.a)
	if sent := h.a.Sent(); len(sent) != 1 || sent[0].Text != "Ganhe 10% no Natal.\nCopiar código: NATAL10" {
		t.Errorf("sent = %+v", sent)
	}
}
