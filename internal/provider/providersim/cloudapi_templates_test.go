package providersim

import (
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
