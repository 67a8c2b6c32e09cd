package gateway_test

import (
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// A customer's reaction, edit and delete-for-everyone reach Chatwoot: the
// reaction and the edit as replies to the message, the delete by
// deleting the Chatwoot copy (once, though Evolution sends it twice).
func TestReactionEditDelete(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		id := b.write(t, map[string]any{"from": "5511987650070", "text": "original"})
		apptest.Eventually(t, "the message", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
		conv := b.onlyConversation(t).DisplayID
		orig := b.bySource(conv)["WAID:"+id]
		b.write(t, map[string]any{"from": "5511987650070", "type": "reaction", "text": "👍", "react_to": id})
		b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/edits", map[string]any{"id": id, "text": "corrigido"}, 200)
		defer func() {
			if t.Failed() {
				for _, m := range b.cw.Messages(1, conv) {
					t.Logf("%+v", m)
				}
				rows, _ := b.h.App.DB.R.Query(`SELECT kind, status, attempts, last_error FROM gateway_work`)
				for rows.Next() {
					var k, st, e string
					var a int
					rows.Scan(&k, &st, &a, &e)
					t.Log(k, st, a, e)
				}
				rows.Close()
			}
		}()
		apptest.Eventually(t, "the reaction and the edit", func() bool { return len(b.bySource(conv)) == 3 })
		b.sim(t, "POST", b.evoURL+"/_sim/instances/vendas/deletes", map[string]any{"id": id}, 200)
		apptest.Eventually(t, "the delete", func() bool { return b.msg(t, conv, orig.ID).Attributes["deleted"] == true })
		var reaction, edit bool
		for _, m := range b.cw.Messages(1, conv) {
			reply := m.Attributes["in_reply_to"]
			switch m.Content {
			case "👍":
				reaction = reply != nil
			case "✏️ corrigido":
				edit = reply != nil
			}
		}
		if !reaction || !edit {
			t.Fatalf("reaction %v edit %v: %+v", reaction, edit, b.cw.Messages(1, conv))
		}
	})
}
