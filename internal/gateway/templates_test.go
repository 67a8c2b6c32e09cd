package gateway_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// cloudBridge is a hub linked to a simulated Chatwoot with one Cloud API
// number tied to an API inbox.
type cloudBridge struct {
	*bridge
	meta    *providersim.CloudAPI
	metaURL string
}

func newCloudBridge(t *testing.T, dialect string) *cloudBridge {
	t.Helper()
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_GATEWAY_SETTLE=20ms", "WHATPRO_GATEWAY_SWEEP_INTERVAL=1s")})
	b := &cloudBridge{bridge: &bridge{h: h, ten: h.NewTenant(h.LoginSuper(), "Meta")}}
	b.cw = cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	t.Cleanup(b.cw.Close)
	b.cwURL = serve(t, b.cw.Handler())
	b.agent = b.cw.Seed().Users[0].APIAccessToken
	b.do(t, "PUT", "/chatwoot", map[string]any{"base_url": b.cwURL, "chatwoot_account_id": 1, "api_access_token": b.agent}).Expect(t, 200)
	b.meta = providersim.NewCloudAPI(providersim.Options{})
	t.Cleanup(b.meta.Close)
	b.metaURL = serve(t, b.meta.Handler())
	b.meta.SetBaseURL(b.metaURL)
	p := b.do(t, "POST", "/providers", map[string]any{"name": "Meta", "type": "cloud_api", "base_url": b.metaURL,
		"credentials": map[string]string{"access_token": b.meta.AccessToken(), "app_secret": b.meta.AppSecret()}}).Expect(t, 201).JSON(t)
	b.pid = p["id"].(string)
	b.iid = b.do(t, "POST", "/provider-instances", map[string]any{"provider_id": b.pid, "name": "sac", "phone_number_id": b.meta.PhoneNumberID()}).
		Expect(t, 201).JSON(t)["id"].(string)
	b.do(t, "POST", "/provider-instances/"+b.iid+"/connect", nil).Expect(t, 200)
	ib := b.do(t, "POST", "/provider-instances/"+b.iid+"/inbox", map[string]any{"name": "WhatsApp Oficial"}).Expect(t, 201).JSON(t)
	b.inboxID = int(ib["chatwoot_inbox_id"].(float64))
	b.sim(t, "POST", b.metaURL+"/_sim/webhook", map[string]any{"callback_url": h.URL + "/webhooks/providers/" + b.pid,
		"verify_token": p["verify_token"]}, 200)
	return b
}

// closedWindow has the customer at phone write once, waits for the
// conversation, moves Meta's 24-hour window two days back and returns the
// conversation's display id and its templates path.
func (b *cloudBridge) closedWindow(t *testing.T, phone, name string) (int, string) {
	t.Helper()
	b.sim(t, "POST", b.metaURL+"/_sim/messages", map[string]any{"from": phone, "text": "oi", "name": name}, 0)
	apptest.Eventually(t, "the message", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
	conv := b.onlyConversation(t).DisplayID
	b.meta.OpenWindow(b.meta.PhoneNumberID(), phone, time.Now().AddDate(0, 0, -2))
	return conv, "/gateway/conversations/" + strconv.Itoa(conv) + "/templates"
}

// listedTemplate is the template of that name in the list at path (nil
// when it is not listed).
func (b *cloudBridge) listedTemplate(t *testing.T, path, name string) map[string]any {
	t.Helper()
	for _, d := range b.do(t, "GET", path, nil).Expect(t, 200).JSON(t)["data"].([]any) {
		if m := d.(map[string]any); m["name"] == name {
			return m
		}
	}
	return nil
}

// sentComponents waits for Meta's one send and returns it with its
// template components decoded.
func (b *cloudBridge) sentComponents(t *testing.T) (providersim.CloudSend, []any) {
	t.Helper()
	apptest.Eventually(t, "the template at Meta", func() bool { return len(b.meta.Sent()) == 1 })
	sent := b.meta.Sent()[0]
	var comps []any
	if err := json.Unmarshal(sent.Components, &comps); err != nil {
		t.Fatalf("components %s: %v", sent.Components, err)
	}
	return sent, comps
}

// Outside the 24-hour window an agent lists the number's approved
// templates and sends one: Meta gets it with its parameters, Chatwoot
// shows it as the agent's outgoing message (source_id = the wamid, so its
// callback is not sent again) and its ticks follow Meta's statuses.
func TestTemplateOutsideTheWindow(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newCloudBridge(t, dialect)
		conv, path := b.closedWindow(t, "5521987650070", "Ana")

		list := b.do(t, "GET", path, nil).Expect(t, 200).JSON(t)
		if list["instance_id"] != b.iid || list["last_inbound_at"] == nil {
			t.Fatalf("list = %v", list)
		}
		byName := map[string]map[string]any{}
		for _, d := range list["data"].([]any) {
			m := d.(map[string]any)
			byName[m["name"].(string)+"/"+m["language"].(string)] = m
		}
		if len(byName) != 3 || byName["promocao_dezembro/pt_BR"] != nil {
			t.Fatalf("approved templates = %v", byName)
		}
		if p := byName["retomar_atendimento/pt_BR"]["body_parameters"].([]any); len(p) != 2 || p[0] != "1" {
			t.Fatalf("positional parameters = %v", p)
		}
		named := byName["pedido_pronto/pt_BR"]
		if named["parameter_format"] != "NAMED" || named["header_parameters"].([]any)[0] != "pedido" {
			t.Fatalf("named template = %v", named)
		}
		if n := b.do(t, "GET", "/gateway/numbers/"+b.iid+"/templates", nil).Expect(t, 200).JSON(t); len(n["data"].([]any)) != 3 {
			t.Fatalf("number templates = %v", n)
		}

		// refused before anything is queued
		for body, field := range map[string]map[string]any{
			"name":            {"name": "promocao_dezembro", "language": "pt_BR"},
			"language":        {"name": "retomar_atendimento", "language": "portuguese!"},
			"body_parameters": {"name": "retomar_atendimento", "language": "pt_BR", "body_parameters": []map[string]string{{"text": "Ana"}}},
		} {
			r := b.do(t, "POST", path, field)
			if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+body+`"`) {
				t.Errorf("%v = %d %s, want 400 on %s", field, r.Status, r.Body, body)
			}
		}
		if n := b.h.Count(`SELECT count(*) FROM gateway_work WHERE kind = 'outbound'`); n != 0 {
			t.Fatalf("%d items queued by refused requests", n)
		}

		// the number's pacing covers templates too: the reply after it waits
		// the gap (long enough that the steps between the two take less)
		const gap = 4 * time.Second
		b.do(t, "PUT", "/gateway/numbers/"+b.iid+"/settings", map[string]any{"send_gap_ms": gap.Milliseconds(), "send_typing": false}).Expect(t, 200)
		ans := b.do(t, "POST", path, map[string]any{"name": "retomar_atendimento", "language": "pt_BR",
			"body_parameters": []map[string]string{{"text": "Ana"}, {"text": "Loja Azul"}}}).Expect(t, 202).JSON(t)
		want := "Olá Ana, aqui é da Loja Azul. Podemos continuar o seu atendimento?"
		if ans["text"] != want || ans["status"] != "queued" {
			t.Fatalf("send = %v", ans)
		}
		apptest.Eventually(t, "the template at Meta", func() bool { return len(b.meta.Sent()) == 1 })
		sent := b.meta.Sent()[0]
		if sent.Type != "template" || sent.Template != "retomar_atendimento/pt_BR" || sent.Text != want || sent.To != "5521987650070" {
			t.Fatalf("sent = %+v", sent)
		}
		apptest.Eventually(t, "the template in Chatwoot", func() bool { _, ok := b.bySource(conv)[sent.ID]; return ok })
		m := b.bySource(conv)[sent.ID]
		if m.MessageType != "outgoing" || m.Private || m.Content != want {
			t.Fatalf("chatwoot message = %+v", m)
		}
		b.sim(t, "POST", b.metaURL+"/_sim/statuses", map[string]any{"message_id": sent.ID, "status": "read"}, 0)
		apptest.Eventually(t, "read in Chatwoot", func() bool { return b.msg(t, conv, m.ID).Status == "read" })

		// the customer answers; the agent's reply waits behind the
		// template's callback (same inbox), so had that been sent again it
		// would be at Meta before the reply
		b.sim(t, "POST", b.metaURL+"/_sim/messages", map[string]any{"from": "5521987650070", "text": "pode sim"}, 0)
		apptest.Eventually(t, "the answer", func() bool { return len(b.bySource(conv)) == 3 })
		b.reply(t, conv, map[string]any{"content": "ótimo"})
		apptest.Eventually(t, "the reply at Meta", func() bool { return len(b.meta.Sent()) >= 2 })
		s := b.meta.Sent()
		if len(s) != 2 || s[1].Text != "ótimo" {
			t.Fatalf("sent = %+v", s)
		}
		tplAt, _ := time.Parse(time.RFC3339Nano, s[0].At)
		replyAt, _ := time.Parse(time.RFC3339Nano, s[1].At)
		if replyAt.Sub(tplAt) < gap/2 {
			t.Errorf("the reply came %s after the template, under the gap's lower bound %s", replyAt.Sub(tplAt), gap/2)
		}
		log := b.do(t, "GET", "/gateway/conversations/"+strconv.Itoa(conv)+"/log", nil).Expect(t, 200).JSON(t)["data"].([]any)
		if e := log[1].(map[string]any); e["kind"] != "template" || e["provider_message_id"] != sent.ID || e["chatwoot_message_id"] != float64(m.ID) {
			t.Fatalf("bridge log = %v", log)
		}
	})
}

// A template that cannot go (here: the plan's monthly messages are used
// up) is a private note in the conversation, not a message.
func TestTemplateRefusedIsANote(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newCloudBridge(t, dialect)
		b.sim(t, "POST", b.metaURL+"/_sim/messages", map[string]any{"from": "5521987650071", "text": "oi"}, 0)
		apptest.Eventually(t, "the message", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
		conv := b.onlyConversation(t).DisplayID
		super := b.h.LoginSuper()
		plans := b.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/plans", Token: super.Token}).Expect(t, 200).JSON(t)["data"].([]any)
		b.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + b.ten.ID + "/plan", Token: super.Token,
			Body: map[string]any{"plan_id": plans[0].(map[string]any)["id"], "overrides": map[string]int{"max_messages_per_month": 0}}}).Expect(t, 200)
		b.do(t, "POST", "/gateway/conversations/"+strconv.Itoa(conv)+"/templates", map[string]any{"name": "hello_world", "language": "en_US"}).
			Expect(t, 202)
		apptest.Eventually(t, "the note", func() bool {
			for _, m := range b.cw.Messages(1, conv) {
				if m.Private && strings.Contains(m.Content, "hello_world (en_US) was not sent") && strings.Contains(m.Content, "max_messages_per_month") {
					return true
				}
			}
			return false
		})
		if len(b.meta.Sent()) != 0 {
			t.Fatalf("sent over the limit: %+v", b.meta.Sent())
		}
		for _, m := range b.cw.Messages(1, conv) {
			if m.MessageType == "outgoing" && !m.Private {
				t.Fatalf("a refused template shows as a message: %+v", m)
			}
		}
	})
}
