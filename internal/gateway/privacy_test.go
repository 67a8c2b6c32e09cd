package gateway_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// The account's export holds the gateway's chats and message map; erasing
// the Chatwoot contact leaves no phone, WhatsApp id, name or message text
// of that person in the gateway's tables, and the next message from the
// same phone starts a new chat.
func TestGatewayExportAndContactErasure(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		id := b.write(t, map[string]any{"from": "5511987650077", "text": "meu pedido 123", "push_name": "Joana Apagável"})
		apptest.Eventually(t, "the message in Chatwoot", func() bool {
			cs := b.convs()
			return len(cs) == 1 && len(b.bySource(cs[0].DisplayID)) == 1
		})
		raw := string(b.do(t, "GET", "/export", nil).Expect(t, 200).Body)
		for _, want := range []string{`"message_map"`, `"whatsapp_chats"`, id, "5511987650077"} {
			if !strings.Contains(raw, want) {
				t.Fatalf("export lacks %s", want)
			}
		}
		// Work still queued is kept by an erasure (it may still have to run):
		// the message reaches Chatwoot a moment before its work is marked done.
		apptest.Eventually(t, "the work done", func() bool {
			return b.h.Count(`SELECT count(*) FROM gateway_work WHERE account_id = $1 AND status = 'queued'`, b.ten.ID) == 0
		})
		contact := b.cw.Contacts(1)[0].ID
		var out struct {
			Domains map[string]int `json:"domains"`
		}
		b.do(t, "POST", "/contacts/"+strconv.Itoa(contact)+"/erasure", nil).Expect(t, 200).Decode(t, &out)
		if out.Domains["gateway"] != 1 {
			t.Fatalf("erasure: %+v", out)
		}
		for _, q := range []string{
			`SELECT count(*) FROM gateway_chats WHERE account_id = $1 AND (phone LIKE '%987650077%' OR jid LIKE '%987650077%' OR chat_key LIKE '%987650077%' OR name LIKE '%Joana%')`,
			`SELECT count(*) FROM gateway_aliases WHERE account_id = $1 AND alias LIKE '%987650077%'`,
			`SELECT count(*) FROM gateway_work WHERE account_id = $1 AND (payload LIKE '%meu pedido%' OR payload LIKE '%987650077%')`,
		} {
			if n := b.h.Count(q, b.ten.ID); n != 0 {
				t.Errorf("%d rows still hold the person: %s", n, q)
			}
		}
		if n := b.h.Count(`SELECT count(*) FROM gateway_messages WHERE account_id = $1 AND provider_message_id = $2`, b.ten.ID, id); n != 1 {
			t.Errorf("the message map lost its row: %d", n)
		}
		raw = string(b.do(t, "GET", "/export", nil).Expect(t, 200).Body)
		if strings.Contains(raw, "987650077") || strings.Contains(raw, "Joana") {
			t.Error("the export still holds the erased person")
		}
		// Writing again makes a new chat, not the erased one.
		b.write(t, map[string]any{"from": "5511987650077", "text": "voltei", "push_name": "Joana"})
		apptest.Eventually(t, "a new chat", func() bool {
			return b.h.Count(`SELECT count(*) FROM gateway_chats WHERE account_id = $1 AND phone LIKE '%987650077%'`, b.ten.ID) == 1
		})
	})
}
