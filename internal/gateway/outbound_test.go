package gateway_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// An agent's reply reaches WhatsApp once, formatted for it, quoting what
// it quotes; the customer's phone acknowledging it moves the Chatwoot
// status forward; notes and the hub's own messages are never sent.
func TestOutboundReply(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		first := b.write(t, map[string]any{"from": "5511987650002", "text": "bom dia", "push_name": "João"})
		apptest.Eventually(t, "the conversation", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
		conv := b.onlyConversation(t).DisplayID
		quoted := b.bySource(conv)["WAID:"+first].ID
		b.reply(t, conv, map[string]any{"content": "nota interna", "private": true})
		id := b.reply(t, conv, map[string]any{"content": "**Olá** João, _tudo_ ~~bem~~? [site](https://x.test)",
			"content_attributes": map[string]any{"in_reply_to": quoted}})
		// Chatwoot's callbacks race each other (one worker each); the lane
		// keeps two replies in order only within the settle time, which a
		// loaded machine can exceed: send the second once the first is out.
		apptest.Eventually(t, "the first send", func() bool { return len(b.evo.Sent("vendas")) == 1 })
		b.reply(t, conv, map[string]any{"content": "segunda"})
		apptest.Eventually(t, "two sends", func() bool { return len(b.evo.Sent("vendas")) == 2 })
		sent := b.evo.Sent("vendas")
		if sent[0].Text != "*Olá* João, _tudo_ ~bem~? site (https://x.test)" || sent[0].Quoted != first ||
			sent[0].To != "5511987650002@s.whatsapp.net" || sent[1].Text != "segunda" {
			t.Fatalf("sent: %+v", sent)
		}
		// the phone reads it: Chatwoot follows (the sim's auto ack is SERVER_ACK)
		b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/acks", map[string]any{"id": sent[0].ID, "status": "READ"}, 0)
		apptest.Eventually(t, "the read status in Chatwoot", func() bool { return b.msg(t, conv, id).Status == "read" })
		if n := b.h.Count(`SELECT count(*) FROM gateway_messages WHERE direction = 'out'`); n != 2 {
			t.Fatalf("map rows: %d", n)
		}
	})
}
