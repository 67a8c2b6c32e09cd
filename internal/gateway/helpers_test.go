package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// bridge is a hub whose account is linked to a simulated Chatwoot and has
// one Evolution number ("vendas") connected and tied to an API inbox.
type bridge struct {
	h       *apptest.Hub
	ten     *apptest.Tenant
	cw      *cwsim.Sim
	cwURL   string
	evo     *providersim.Evolution
	evoURL  string
	pid     string
	iid     string
	inboxID int // the Chatwoot inbox id
	agent   string
}

func serve(t testing.TB, h http.Handler) string {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func newBridge(t testing.TB, dialect string, env ...string) *bridge {
	return newBridgeWith(t, dialect, nil, nil, env...)
}

// newBridgeWith lets a benchmark watch what the hub sends to Chatwoot and
// to the provider (wrap* wrap the simulators' handlers).
func newBridgeWith(t testing.TB, dialect string, wrapCW, wrapEvo func(http.Handler) http.Handler, env ...string) *bridge {
	t.Helper()
	if wrapCW == nil {
		wrapCW = func(h http.Handler) http.Handler { return h }
	}
	if wrapEvo == nil {
		wrapEvo = func(h http.Handler) http.Handler { return h }
	}
	b := &bridge{}
	b.h = apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(append([]string{"WHATPRO_GATEWAY_SETTLE=20ms",
		"WHATPRO_GATEWAY_SWEEP_INTERVAL=1s"}, env...)...)})
	b.ten = b.h.NewTenant(b.h.LoginSuper(), "Acme")
	b.cw = cwsim.New(cwsim.DefaultSeed(), cwsim.Options{})
	t.Cleanup(b.cw.Close)
	b.cwURL = serve(t, wrapCW(b.cw.Handler()))
	seed := b.cw.Seed()
	b.agent = seed.Users[0].APIAccessToken
	b.do(t, "PUT", "/chatwoot", map[string]any{"base_url": b.cwURL, "chatwoot_account_id": 1, "api_access_token": b.agent}).Expect(t, 200)
	b.evo = providersim.NewEvolution(providersim.Options{})
	t.Cleanup(b.evo.Close)
	b.evoURL = serve(t, wrapEvo(b.evo.Handler()))
	b.evo.SetBaseURL(b.evoURL)
	b.pid = b.do(t, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": b.evoURL,
		"credentials": map[string]string{"api_key": b.evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
	b.iid = b.do(t, "POST", "/provider-instances", map[string]any{"provider_id": b.pid, "name": "vendas"}).Expect(t, 201).JSON(t)["id"].(string)
	b.connect(t)
	apptest.Eventually(t, "the number to connect", func() bool {
		return b.do(t, "GET", "/provider-instances/"+b.iid, nil).JSON(t)["status"] == "connected"
	})
	ib := b.do(t, "POST", "/provider-instances/"+b.iid+"/inbox", map[string]any{"name": "WhatsApp Vendas"}).Expect(t, 201).JSON(t)
	b.inboxID = int(ib["chatwoot_inbox_id"].(float64))
	return b
}

func (b *bridge) do(t testing.TB, method, path string, body any) *apptest.Resp {
	t.Helper()
	return b.h.Do(apptest.Req{Method: method, Path: "/api/v1/accounts/" + b.ten.ID + path, Token: b.ten.Admin.Token, Body: body})
}

// sim calls a simulator endpoint and decodes its JSON answer.
func (b *bridge) sim(t testing.TB, method, url string, body any, want int) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("api_access_token", b.agent)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if want != 0 && res.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, raw)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// write makes a customer send a message to the number.
func (b *bridge) write(t testing.TB, body map[string]any) string {
	t.Helper()
	out := b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/messages", body, 201)
	return out["key"].(map[string]any)["id"].(string)
}

// reply makes the agent answer in a Chatwoot conversation.
func (b *bridge) reply(t testing.TB, conv int, body map[string]any) int {
	t.Helper()
	if body["message_type"] == nil {
		body["message_type"] = "outgoing"
	}
	out := b.sim(t, "POST", b.cwURL+"/api/v1/accounts/1/conversations/"+strconv.Itoa(conv)+"/messages", body, 200)
	return int(out["id"].(float64))
}

// replyStored is reply, returning once the hub has stored the message's
// callback. Chatwoot's callbacks race each other and the settle time that
// orders them can be exceeded on a loaded machine: a test that needs a
// burst in order writes each reply after the one before is stored (the
// burst still queues in its lane together, well inside any send gap).
func (b *bridge) replyStored(t testing.TB, conv int, body map[string]any) int {
	t.Helper()
	id := b.reply(t, conv, body)
	apptest.Eventually(t, "the callback of message "+strconv.Itoa(id), func() bool {
		return b.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'chatwoot_inbox' AND delivery_id = $1`,
			"message_created:"+strconv.Itoa(id)) == 1
	})
	return id
}

// messages are the Chatwoot conversation's messages with a source_id
// prefix (the hub's) or all of them.
func (b *bridge) convs() []cwsim.Conversation { return b.cw.Conversations(1) }

func (b *bridge) bySource(conv int) map[string]cwsim.Message {
	out := map[string]cwsim.Message{}
	for _, m := range b.cw.Messages(1, conv) {
		if m.SourceID != "" {
			out[m.SourceID] = m
		}
	}
	return out
}

func (b *bridge) onlyConversation(t testing.TB) cwsim.Conversation {
	t.Helper()
	cs := b.convs()
	if len(cs) != 1 {
		t.Fatalf("want one conversation, have %d: %+v", len(cs), cs)
	}
	return cs[0]
}

func (b *bridge) msg(t testing.TB, conv, id int) cwsim.Message {
	t.Helper()
	for _, m := range b.cw.Messages(1, conv) {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no message %d in conversation %d", id, conv)
	return cwsim.Message{}
}

var _ = fmt.Sprintf

// connect starts the number's connection (asynchronous: 202), waits for
// its QR code to arrive and lets the simulated phone scan it.
func (b *bridge) connect(t testing.TB) {
	t.Helper()
	b.do(t, "POST", "/provider-instances/"+b.iid+"/connect", nil).Expect(t, 202)
	apptest.Eventually(t, "the number's QR code", func() bool {
		return b.do(t, "GET", "/provider-instances/"+b.iid+"/qr", nil).JSON(t)["qr_code"] != nil
	})
	b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/scan", nil, 0)
}
