package gateway_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// A customer saved in Chatwoot as +55 31 9XXXX-XXXX who writes from the
// 12-digit JID, and later from a @lid id, lands in the existing contact
// and conversation.
func TestBrazilNinthDigitAndLID(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		ct, err := b.cw.AddContact(1, cwsim.ContactSpec{Name: "Cliente Antigo", PhoneNumber: "+5531988887777", InboxID: b.inboxID,
			SourceID: "agent-typed-source"})
		if err != nil {
			t.Fatal(err)
		}
		cv, err := b.cw.AddConversation(1, cwsim.ConversationSpec{InboxID: b.inboxID, ContactID: ct.ID, SourceID: "agent-typed-source"})
		if err != nil {
			t.Fatal(err)
		}
		// WhatsApp knows DDD 31 mobiles without the 9: 553188887777@s.whatsapp.net
		b.write(t, map[string]any{"from": "5531988887777", "text": "sou eu"})
		apptest.Eventually(t, "the message", func() bool { return len(b.bySource(cv.DisplayID)) == 1 })
		b.write(t, map[string]any{"from": "5531988887777", "lid": "207954848374201", "text": "agora pelo lid"})
		apptest.Eventually(t, "the LID message", func() bool { return len(b.bySource(cv.DisplayID)) == 2 })
		if n := len(b.cw.Contacts(1)); n != 1 {
			t.Fatalf("contacts: %+v", b.cw.Contacts(1))
		}
		if n := len(b.convs()); n != 1 {
			t.Fatalf("conversations: %+v", b.convs())
		}
		if n := b.h.Count(`SELECT count(*) FROM gateway_chats`); n != 1 {
			t.Fatalf("chats: %d", n)
		}
		if n := b.h.Count(`SELECT count(*) FROM gateway_aliases WHERE alias IN ('5531988887777', '553188887777', '207954848374201@lid')`); n != 3 {
			t.Fatalf("aliases: %d", n)
		}
		// the agent's answer goes to the JID WhatsApp confirmed
		b.reply(t, cv.DisplayID, map[string]any{"content": "oi!"})
		apptest.Eventually(t, "the reply", func() bool { return len(b.evo.Sent("vendas")) == 1 })
		if s := b.evo.Sent("vendas")[0]; s.To != "553188887777@s.whatsapp.net" && s.To != "207954848374201@lid" {
			t.Fatalf("sent to %s", s.To)
		}
	})
}
