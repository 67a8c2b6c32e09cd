package gateway_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Redelivered provider webhooks and Chatwoot's duplicate message_created
// change nothing; the owner's own messages from the phone appear as
// outgoing and are not sent back; status posts are ignored; group
// messages carry the participant's name.
func TestDuplicatesAndEchoes(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		id := b.write(t, map[string]any{"from": "5511987650003", "text": "primeira"})
		apptest.Eventually(t, "the message", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
		conv := b.onlyConversation(t).DisplayID
		// Baileys redelivers the same key.id in a new body, ten times over
		for _, d := range b.evo.Deliveries() {
			if d.Event != "messages.upsert" || !bytes.Contains(d.Body, []byte(id)) {
				continue
			}
			for i := 0; i < 3; i++ {
				body := bytes.Replace(d.Body, []byte(`"date_time":"`), []byte(`"date_time":"1`+strings.Repeat("9", i)), 1)
				res, err := http.Post(d.URL, "application/json", bytes.NewReader(body))
				if err != nil || res.StatusCode != 200 {
					t.Fatalf("redelivery: %v %v", err, res)
				}
				res.Body.Close()
			}
		}
		b.write(t, map[string]any{"from": "5511987650003", "text": "do celular do dono", "from_me": true})
		b.write(t, map[string]any{"from": "5511987650003", "text": "meu status", "broadcast": true})
		b.write(t, map[string]any{"from": "5511987650004", "text": "olá grupo", "group": "120363025555555555@g.us", "push_name": "Ana"})
		apptest.Eventually(t, "the owner's message", func() bool { return len(b.bySource(conv)) == 2 })
		b.cw.DuplicateNext("message_created", 1)
		b.reply(t, conv, map[string]any{"content": "uma vez só"})
		b.write(t, map[string]any{"from": "5511987650003", "text": "última"})
		defer func() {
			if t.Failed() {
				for _, m := range b.cw.Messages(1, conv) {
					t.Logf("msg %+v", m)
				}
				t.Logf("work: %d dead", b.h.Count(`SELECT count(*) FROM gateway_work WHERE status <> 'done'`))
				rows, _ := b.h.App.DB.R.Query(`SELECT lane, kind, status, attempts, last_error FROM gateway_work WHERE status <> 'done'`)
				for rows.Next() {
					var l, k, st, e string
					var a int
					rows.Scan(&l, &k, &st, &a, &e)
					t.Log(l, k, st, a, e)
				}
				rows.Close()
			}
		}()
		apptest.Eventually(t, "the last message", func() bool { return len(b.bySource(conv)) == 3 })
		apptest.Eventually(t, "the group message", func() bool { return len(b.convs()) == 2 })
		msgs := b.cw.Messages(1, conv)
		var got []string
		for _, m := range msgs {
			got = append(got, m.MessageType+":"+m.Content)
		}
		want := "incoming:primeira|outgoing:do celular do dono|outgoing:uma vez só|incoming:última"
		if strings.Join(got, "|") != want {
			t.Fatalf("conversation:\n got %s\nwant %s", strings.Join(got, "|"), want)
		}
		// Inbound and outbound run in different lanes: the reply may still
		// be on its way when the last inbound message is in Chatwoot.
		apptest.Eventually(t, "the reply sent", func() bool { return len(b.evo.Sent("vendas")) >= 1 })
		if sent := b.evo.Sent("vendas"); len(sent) != 1 || sent[0].Text != "uma vez só" {
			t.Fatalf("sent: %+v", sent)
		}
		for _, c := range b.convs() {
			if c.DisplayID == conv {
				continue
			}
			gm := b.cw.Messages(1, c.DisplayID)
			if len(gm) != 1 || gm[0].Content != "**Ana:** olá grupo" {
				t.Fatalf("group: %+v", gm)
			}
		}
		if n := len(b.cw.Contacts(1)); n != 2 {
			t.Fatalf("contacts: %d", n)
		}
	})
}
