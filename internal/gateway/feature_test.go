package gateway_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

const featureOff = "gateway feature off for this account"

// With the account's gateway feature off nothing is bridged and nothing
// is lost: the customer's message is stored and acknowledged but not in
// Chatwoot, its event shows as ignored with the reason and can be
// replayed; an agent's reply is not sent, it is marked failed with a
// note. Once the flag is on again new messages bridge, the replay
// delivers the held one and Retry sends the refused reply.
func TestGatewayFeatureOff(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		const phone = "5511987650040"
		b.write(t, map[string]any{"from": phone, "text": "antes"})
		apptest.Eventually(t, "the first message", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
		conv := b.onlyConversation(t).DisplayID
		super := b.h.LoginSuper()
		gateway := func(on bool) {
			b.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + b.ten.ID + "/features", Token: super.Token,
				Body: map[string]bool{"gateway": on}}).Expect(t, 200)
		}

		gateway(false)
		held := b.write(t, map[string]any{"from": phone, "text": "desligado"})
		ev := b.ignoredEvent(t, "messages.upsert", func(p []byte) bool { return strings.Contains(string(p), held) })
		if ev.LastError != featureOff || len(ev.Executions) != 1 || ev.Executions[0].Status != "ignored" {
			t.Fatalf("the event of a message while the gateway is off: %+v", ev)
		}
		// the execution is final: had it bridged, the message would be there now
		for _, m := range b.cw.Messages(1, conv) {
			if m.Content == "desligado" {
				t.Fatal("a customer's message was bridged while the gateway feature is off")
			}
		}

		id := b.reply(t, conv, map[string]any{"content": "não vai"})
		apptest.Eventually(t, "the refusal", func() bool { return b.msg(t, conv, id).Status == "failed" })
		apptest.Eventually(t, "the note", func() bool {
			for _, m := range b.cw.Messages(1, conv) {
				if m.Private && strings.Contains(m.Content, "the WhatsApp gateway is disabled for this account") {
					return true
				}
			}
			return false
		})
		rev := b.ignoredEvent(t, "message_created", func(p []byte) bool {
			var m struct{ ID int }
			return json.Unmarshal(p, &m) == nil && m.ID == id
		})
		if !strings.HasPrefix(rev.LastError, featureOff) {
			t.Fatalf("the reply's event: %+v", rev)
		}
		if n := len(b.evo.Sent("vendas")); n != 0 {
			t.Fatalf("%d sends while the gateway feature is off", n)
		}

		gateway(true)
		b.write(t, map[string]any{"from": phone, "text": "de volta"})
		apptest.Eventually(t, "a new message bridged", func() bool { return b.hasContent(conv, "de volta") })
		b.do(t, "POST", "/webhook-events/"+ev.ID+"/replay", nil).Expect(t, 202)
		apptest.Eventually(t, "the held message, replayed", func() bool { return b.hasContent(conv, "desligado") })
		b.sim(t, "POST", b.cwURL+"/api/v1/accounts/1/conversations/"+strconv.Itoa(conv)+"/messages/"+strconv.Itoa(id)+"/retry", nil, 200)
		apptest.Eventually(t, "the refused reply, retried", func() bool { return len(b.evo.Sent("vendas")) == 1 })
		if s := b.evo.Sent("vendas")[0]; s.Text != "não vai" {
			t.Fatalf("sent: %+v", s)
		}
	})
}

type storedEvent struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	LastError  string          `json:"last_error"`
	Payload    json.RawMessage `json:"payload"`
	Executions []struct {
		Consumer, Status string
	} `json:"executions"`
}

// ignoredEvent waits for the account's ignored event of that name whose
// payload matches, as an admin sees it in the webhook events list.
func (b *bridge) ignoredEvent(t *testing.T, event string, match func([]byte) bool) storedEvent {
	t.Helper()
	var found storedEvent
	apptest.Eventually(t, "the ignored "+event+" event", func() bool {
		var page struct{ Data []storedEvent }
		b.do(t, "GET", "/webhook-events?status=ignored&event="+event, nil).Expect(t, 200).Decode(t, &page)
		for _, e := range page.Data {
			if match(e.Payload) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

func (b *bridge) hasContent(conv int, text string) bool {
	for _, m := range b.cw.Messages(1, conv) {
		if m.Content == text {
			return true
		}
	}
	return false
}

// A reply queued before the flag went off (its number was disconnected)
// is refused when its number is back, with the same note, not sent.
func TestGatewayFeatureOffRefusesQueuedReplies(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		conv := b.customer(t, "5511987650042")
		b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/disconnect", map[string]any{"status_reason": 401}, 200)
		apptest.Eventually(t, "the number to drop", func() bool {
			return b.do(t, "GET", "/provider-instances/"+b.iid, nil).JSON(t)["status"] != "connected"
		})
		id := b.reply(t, conv, map[string]any{"content": "na fila"})
		apptest.Eventually(t, "the reply to be held", func() bool {
			return b.h.Count(`SELECT count(*) FROM gateway_work WHERE kind = 'outbound' AND status = 'queued' AND last_error LIKE '%reconnects%'`) == 1
		})
		super := b.h.LoginSuper()
		b.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + b.ten.ID + "/features", Token: super.Token,
			Body: map[string]bool{"gateway": false}}).Expect(t, 200)
		// the phone reconnects at the provider (the hub's connect route is the gateway's, off now)
		req, _ := http.NewRequest("GET", b.evoURL+"/instance/connect/vendas", nil)
		req.Header.Set("apikey", b.evo.APIKey())
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("connect at the provider: %v %v", err, res)
		}
		res.Body.Close()
		b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/scan", nil, 0)
		apptest.Eventually(t, "the refusal", func() bool { return b.msg(t, conv, id).Status == "failed" })
		apptest.Eventually(t, "the note", func() bool {
			for _, m := range b.cw.Messages(1, conv) {
				if m.Private && strings.Contains(m.Content, "the WhatsApp gateway is disabled for this account") {
					return true
				}
			}
			return false
		})
		if n := len(b.evo.Sent("vendas")); n != 0 {
			t.Fatalf("%d sends while the gateway feature is off", n)
		}
	})
}
