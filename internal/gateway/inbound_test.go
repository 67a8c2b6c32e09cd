package gateway_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A new customer's burst makes one contact and one conversation, in order;
// their formatting is shown as markdown; a quoted reply points at the
// message it quotes.
func TestInboundBurst(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		var ids []string
		for i, text := range []string{"oi", "*quero* comprar", "~caro~ barato?", "tem desconto?", "obrigado"} {
			body := map[string]any{"from": "5511987650001", "text": text, "push_name": "Maria"}
			if i == 3 {
				body["quoted"] = ids[0]
			}
			ids = append(ids, b.write(t, body))
		}
		apptest.Eventually(t, "five messages in Chatwoot", func() bool {
			cs := b.convs()
			return len(cs) == 1 && len(b.bySource(cs[0].DisplayID)) == 5
		})
		conv := b.onlyConversation(t)
		msgs := b.cw.Messages(1, conv.DisplayID)
		want := []string{"oi", "**quero** comprar", "~~caro~~ barato?", "tem desconto?", "obrigado"}
		for i, m := range msgs {
			if m.Content != want[i] || m.SourceID != "WAID:"+ids[i] || m.MessageType != "incoming" {
				t.Fatalf("message %d: %+v", i, m)
			}
		}
		if msgs[3].Attributes["in_reply_to"] != float64(msgs[0].ID) && msgs[3].Attributes["in_reply_to"] != msgs[0].ID {
			t.Fatalf("quote: %+v", msgs[3].Attributes)
		}
		cts := b.cw.Contacts(1)
		if len(cts) != 1 || cts[0].PhoneNumber != "+5511987650001" || cts[0].Name != "Maria" ||
			!strings.HasSuffix(cts[0].Identifier, "@s.whatsapp.net") {
			t.Fatalf("contacts: %+v", cts)
		}
	})
}
