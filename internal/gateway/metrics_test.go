package gateway_test

import (
	"regexp"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A message each way shows on /metrics: counted by direction and
// outcome, with its delivery latency observed.
func TestGatewayMetrics(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		b.write(t, map[string]any{"from": "5511987650061", "text": "olá"})
		apptest.Eventually(t, "the message in Chatwoot", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
		b.reply(t, b.onlyConversation(t).DisplayID, map[string]any{"content": "oi"})
		apptest.Eventually(t, "the reply sent", func() bool { return len(b.evo.Sent("vendas")) == 1 })
		want := []string{
			`whatpro_gateway_messages_total\{direction="inbound",outcome="delivered"\} 1\n`,
			`whatpro_gateway_messages_total\{direction="outbound",outcome="sent"\} 1\n`,
			`whatpro_gateway_delivery_seconds_count\{direction="inbound"\} 1\n`,
			`whatpro_gateway_delivery_seconds_count\{direction="outbound"\} 1\n`,
			`whatpro_gateway_delivery_seconds_bucket\{direction="outbound",le="120"\} 1\n`,
		}
		var body string
		apptest.Eventually(t, "the gateway's metrics", func() bool {
			body = string(b.h.Do(apptest.Req{Method: "GET", Path: "/metrics"}).Expect(t, 200).Body)
			for _, w := range want {
				if !regexp.MustCompile(w).MatchString(body) {
					return false
				}
			}
			return true
		})
	})
}
