package gateway_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Over the plan's max_messages_per_month, customers' messages still reach
// Chatwoot, and agents' replies are refused with a note saying why.
func TestMonthlyMessageLimit(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		super := b.h.LoginSuper()
		plans := b.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/plans", Token: super.Token}).Expect(t, 200).JSON(t)["data"].([]any)
		planID := plans[0].(map[string]any)["id"].(string)
		b.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + b.ten.ID + "/plan", Token: super.Token,
			Body: map[string]any{"plan_id": planID, "overrides": map[string]int{"max_messages_per_month": 0}}}).Expect(t, 200)
		conv := b.customer(t, "5511987650030")
		id := b.reply(t, conv, map[string]any{"content": "acima do limite"})
		apptest.Eventually(t, "the refusal", func() bool { return b.msg(t, conv, id).Status == "failed" })
		apptest.Eventually(t, "the note", func() bool {
			for _, m := range b.cw.Messages(1, conv) {
				if m.Private && strings.Contains(m.Content, "max_messages_per_month") {
					return true
				}
			}
			return false
		})
		if len(b.evo.Sent("vendas")) != 0 {
			t.Fatal("a reply over the limit was sent")
		}
	})
}
