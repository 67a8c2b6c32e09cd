package gateway_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// A message Chatwoot refuses for good ends dead, visible with its error
// and payload; replaying it delivers it. The per-number counters and the
// conversation's bridge log show what happened; the gateway feature flag
// closes these routes.
func TestDeadLettersAndCounters(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		conv := b.customer(t, "5511987650020")
		b.cw.Fail(cwsim.Failure{Method: "POST", PathPrefix: "/api/v1/accounts/1/conversations/" + strconv.Itoa(conv) + "/messages",
			Status: 422, Times: 1})
		id := b.write(t, map[string]any{"from": "5511987650020", "text": "recusada"})
		var dead []any
		apptest.Eventually(t, "the dead letter", func() bool {
			dead = b.do(t, "GET", "/gateway/dead-letters", nil).Expect(t, 200).JSON(t)["data"].([]any)
			return len(dead) == 1
		})
		dl := dead[0].(map[string]any)
		if !strings.Contains(dl["last_error"].(string), "422") || dl["payload"].(map[string]any)["id"] != id {
			t.Fatalf("dead letter: %v", dl)
		}
		b.do(t, "POST", "/gateway/dead-letters/"+dl["id"].(string)+"/replay", nil).Expect(t, 200)
		b.do(t, "POST", "/gateway/dead-letters/"+dl["id"].(string)+"/replay", nil).ExpectError(t, 404, "NOT_FOUND")
		apptest.Eventually(t, "the replayed message", func() bool { return len(b.bySource(conv)) == 2 })
		b.reply(t, conv, map[string]any{"content": "resposta"})
		apptest.Eventually(t, "the reply", func() bool { return len(b.evo.Sent("vendas")) == 1 })

		// The simulator lists a send before it answers; the hub records the
		// provider's id once the answer arrives.
		var log []any
		apptest.Eventually(t, "the reply in the bridge log with its provider id", func() bool {
			log = b.do(t, "GET", "/gateway/conversations/"+strconv.Itoa(conv)+"/log", nil).Expect(t, 200).JSON(t)["data"].([]any)
			return len(log) == 3 && log[2].(map[string]any)["provider_message_id"] != nil
		})
		if log[2].(map[string]any)["direction"] != "out" {
			t.Fatalf("log: %v", log)
		}
		stats := b.do(t, "GET", "/gateway/numbers", nil).Expect(t, 200).JSON(t)["data"].([]any)
		if len(stats) != 1 {
			t.Fatalf("stats: %v", stats)
		}
		st := stats[0].(map[string]any)
		if st["instance_id"] != b.iid || st["messages_in_today"] != float64(2) || st["messages_out_today"] != float64(1) || st["dead_letters"] != float64(0) {
			t.Fatalf("stats: %v", st)
		}
		// an agent without the inbox sees nothing of the log
		agent := b.h.NewMember(b.ten.Admin.Token, b.ten.ID, "agent")
		b.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + b.ten.ID + "/gateway/conversations/" + strconv.Itoa(conv) + "/log",
			Token: agent.Token}).ExpectError(t, 404, "NOT_FOUND")

		super := b.h.LoginSuper()
		b.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + b.ten.ID + "/features", Token: super.Token,
			Body: map[string]bool{"gateway": false}}).Expect(t, 200)
		b.do(t, "GET", "/gateway/numbers", nil).ExpectError(t, 403, "FEATURE_DISABLED")
	})
}
