package gateway_test

import (
	"strconv"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Chatwoot's Retry on a failed reply sends it again once the cause is
// fixed; the retry arrives as message_updated with the error cleared.
func TestRetryAfterFailure(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		conv := b.customer(t, "5511987650060")
		b.sim(t, "POST", b.evoURL+"/_sim/numbers", map[string]any{"number": "5511987650060", "exists": false}, 200)
		id := b.reply(t, conv, map[string]any{"content": "de novo"})
		apptest.Eventually(t, "the failure", func() bool { return b.msg(t, conv, id).Status == "failed" })
		b.sim(t, "POST", b.evoURL+"/_sim/numbers", map[string]any{"number": "5511987650060", "exists": true}, 200)
		b.sim(t, "POST", b.cwURL+"/api/v1/accounts/1/conversations/"+strconv.Itoa(conv)+"/messages/"+strconv.Itoa(id)+"/retry", nil, 200)
		apptest.Eventually(t, "the resend", func() bool { return len(b.evo.Sent("vendas")) == 1 })
		if s := b.evo.Sent("vendas")[0]; s.Text != "de novo" {
			t.Fatalf("sent: %+v", s)
		}
	})
}
