package gateway_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

func (b *bridge) customer(t testing.TB, from string) int {
	t.Helper()
	b.write(t, map[string]any{"from": from, "text": "olá"})
	apptest.Eventually(t, "the conversation", func() bool {
		for _, c := range b.convs() {
			if len(b.bySource(c.DisplayID)) > 0 && c.SourceID != "" && strings.Contains(c.SourceID, from[4:]) {
				return true
			}
		}
		return false
	})
	for _, c := range b.convs() {
		if strings.Contains(c.SourceID, from[4:]) {
			return c.DisplayID
		}
	}
	return 0
}

// A number without WhatsApp fails the reply for good: Chatwoot shows it
// failed with the reason, and a private note says what to do.
func TestReplyToNumberWithoutWhatsApp(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		conv := b.customer(t, "5511987650010")
		b.sim(t, "POST", b.evoURL+"/_sim/numbers", map[string]any{"number": "5511987650010", "exists": false}, 200)
		id := b.reply(t, conv, map[string]any{"content": "ainda aí?"})
		apptest.Eventually(t, "the failure in Chatwoot", func() bool { return b.msg(t, conv, id).Status == "failed" })
		if m := b.msg(t, conv, id); !strings.Contains(m.ExternalError, "not on WhatsApp") {
			t.Fatalf("external_error: %q", m.ExternalError)
		}
		apptest.Eventually(t, "the private note", func() bool {
			for _, m := range b.cw.Messages(1, conv) {
				if m.Private && strings.Contains(m.Content, "no WhatsApp account") {
					return true
				}
			}
			return false
		})
		if len(b.evo.Sent("vendas")) != 0 {
			t.Fatal("nothing should have been sent")
		}
	})
}

// A disconnected number holds its replies and sends them in order when
// it reconnects; Chatwoot down means queued inbound, delivered in order
// when it is back.
func TestHoldsAndOutages(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		conv := b.customer(t, "5511987650011")
		b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/disconnect", map[string]any{"status_reason": 401}, 200)
		apptest.Eventually(t, "the number to drop", func() bool {
			return b.do(t, "GET", "/provider-instances/"+b.iid, nil).JSON(t)["status"] != "connected"
		})
		for i := 1; i <= 3; i++ {
			b.reply(t, conv, map[string]any{"content": fmt.Sprintf("resposta %d", i)})
		}
		apptest.Eventually(t, "the replies to be held", func() bool {
			return b.h.Count(`SELECT count(*) FROM gateway_work WHERE kind = 'outbound' AND status = 'queued' AND last_error LIKE '%reconnects%'`) >= 1
		})
		b.connect(t)
		apptest.Eventually(t, "the held replies", func() bool { return len(b.evo.Sent("vendas")) == 3 })
		for i, s := range b.evo.Sent("vendas") {
			if s.Text != fmt.Sprintf("resposta %d", i+1) {
				t.Fatalf("order: %+v", b.evo.Sent("vendas"))
			}
		}

		b.cw.Fail(cwsim.Failure{PathPrefix: "/api/v1/accounts/1/conversations", Status: 503, Times: -1})
		for i := 1; i <= 4; i++ {
			b.write(t, map[string]any{"from": "5511987650011", "text": fmt.Sprintf("fora %d", i)})
		}
		apptest.Eventually(t, "the lane to back off", func() bool {
			return b.h.Count(`SELECT count(*) FROM gateway_work WHERE kind = 'inbound' AND status = 'queued' AND attempts > 0`) >= 1
		})
		b.cw.ClearFailures()
		apptest.Eventually(t, "the queued messages", func() bool { return len(b.bySource(conv)) == 5 })
		var got []string
		for _, m := range b.cw.Messages(1, conv) {
			if m.MessageType == "incoming" {
				got = append(got, m.Content)
			}
		}
		if strings.Join(got, ",") != "olá,fora 1,fora 2,fora 3,fora 4" {
			t.Fatalf("order: %v", got)
		}
	})
}
