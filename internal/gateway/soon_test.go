package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// The process that stores an event drains its lane at once: with River's
// workers stopped, a customer's message still reaches Chatwoot and an
// agent's reply still reaches WhatsApp. The drain job inserted with each
// item is the durable part: once quick drains stop, the next reply waits
// in its lane and goes out when River's workers run again.
func TestQuickDrains(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		if err := b.h.App.Jobs.Stop(5*time.Second, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		b.write(t, map[string]any{"from": "5511987650009", "text": "oi", "push_name": "Ana"})
		apptest.Eventually(t, "the message in Chatwoot", func() bool {
			cs := b.convs()
			return len(cs) == 1 && len(b.bySource(cs[0].DisplayID)) == 1
		})
		conv := b.onlyConversation(t).DisplayID
		b.reply(t, conv, map[string]any{"content": "olá"})
		apptest.Eventually(t, "the reply sent", func() bool { return len(b.evo.Sent("vendas")) == 1 })

		b.h.App.Gateway.StopQuickDrains(5 * time.Second)
		b.replyStored(t, conv, map[string]any{"content": "segunda"})
		apptest.Eventually(t, "the second reply queued in its lane", func() bool {
			return b.h.Count(`SELECT count(*) FROM gateway_work WHERE kind = 'outbound' AND status = 'queued'`) == 1
		})
		if n := len(b.evo.Sent("vendas")); n != 1 {
			t.Fatalf("%d sends before River's workers run again", n)
		}
		if err := b.h.App.Jobs.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		apptest.Eventually(t, "the second reply sent by its drain job", func() bool { return len(b.evo.Sent("vendas")) == 2 })
		if sent := b.evo.Sent("vendas"); sent[1].Text != "segunda" {
			t.Fatalf("sent: %+v", sent)
		}
	})
}
