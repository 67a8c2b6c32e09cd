package gateway_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
)

// The ordering gate holds a lane item only behind older unhandled events
// of its own conversation (or of none): an agent's reply in conversation
// B goes out while an older callback of conversation A is stored but not
// handled (as a crash leaves one to be rescued), and A's next reply waits
// for that callback.
func TestOrderingGatePerConversation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		convA, convB := b.twoChats(t, "5511987650011", "5511987650022")
		a1 := b.reply(t, convA, map[string]any{"content": "a1"})
		apptest.Eventually(t, "a1 on WhatsApp", func() bool { return b.sentText("a1") })
		event := "message_created:" + strconv.Itoa(a1)
		if n := b.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'chatwoot_inbox' AND delivery_id = $1 AND order_key = $2`,
			event, "conv:"+strconv.Itoa(convA)); n != 1 {
			t.Fatalf("a1's callback is not keyed by its conversation (%d rows)", n)
		}
		stuck := b.stuckCopy(t, "chatwoot_inbox", event)
		b.reply(t, convA, map[string]any{"content": "a2"})
		b.reply(t, convB, map[string]any{"content": "b1"})
		apptest.Eventually(t, "b1 on WhatsApp past conversation A's unhandled callback", func() bool { return b.sentText("b1") })
		if b.sentText("a2") {
			t.Fatal("a2 overtook an older unhandled callback of its conversation")
		}
		b.release(stuck)
		apptest.Eventually(t, "a2 on WhatsApp once the older callback is handled", func() bool { return b.sentText("a2") })
	})
}

// The same for customers: a message in chat B reaches Chatwoot while an
// older event of chat A is stored but not handled, and A's next message
// waits for it.
func TestOrderingGatePerChat(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		b := newBridge(t, dialect)
		convA, convB := b.twoChats(t, "5511987650011", "5511987650022")
		first := b.bySource(convA)
		if len(first) != 1 {
			t.Fatalf("conversation A: %+v", first)
		}
		var event string
		for src := range first {
			event = "messages.upsert:" + src[len("WAID:"):]
		}
		if n := b.h.Count(`SELECT count(*) FROM event_executions WHERE source = 'provider' AND delivery_id = $1 AND order_key = $2`,
			event, "chat:5511987650011"); n != 1 {
			t.Fatalf("chat A's message is not keyed by its chat (%d rows)", n)
		}
		stuck := b.stuckCopy(t, "provider", event)
		b.write(t, map[string]any{"from": "5511987650011", "text": "a2"})
		b.write(t, map[string]any{"from": "5511987650022", "text": "b2"})
		apptest.Eventually(t, "b2 in Chatwoot past chat A's unhandled event", func() bool { return len(b.bySource(convB)) == 2 })
		if len(b.bySource(convA)) != 1 {
			t.Fatal("a2 overtook an older unhandled event of its chat")
		}
		b.release(stuck)
		apptest.Eventually(t, "a2 in Chatwoot once the older event is handled", func() bool { return len(b.bySource(convA)) == 2 })
	})
}

// twoChats has two customers write and returns their conversations.
func (b *bridge) twoChats(t *testing.T, phoneA, phoneB string) (int, int) {
	t.Helper()
	b.write(t, map[string]any{"from": phoneA, "text": "oi"})
	apptest.Eventually(t, "conversation A", func() bool { return len(b.convs()) == 1 && len(b.bySource(b.convs()[0].DisplayID)) == 1 })
	convA := b.onlyConversation(t).DisplayID
	b.write(t, map[string]any{"from": phoneB, "text": "olá"})
	apptest.Eventually(t, "conversation B", func() bool { return len(b.convs()) == 2 })
	for _, c := range b.convs() {
		if c.DisplayID != convA {
			apptest.Eventually(t, "B's message", func() bool { return len(b.bySource(c.DisplayID)) == 1 })
			return convA, c.DisplayID
		}
	}
	t.Fatal("no second conversation")
	return 0, 0
}

// stuckCopy stores an unhandled copy of a handled event, older than any
// event after it: its gateway execution is received but not due for an
// hour, as one a crashed hub left until its lease runs out.
func (b *bridge) stuckCopy(t *testing.T, source, dedupe string) string {
	t.Helper()
	id := db.NewID()
	b.h.Exec(`INSERT INTO event_executions (id, account_id, source, source_id, event, delivery_header, delivery_id, payload,
			job_payload, status, attempts, last_error, order_key, received_at, updated_at)
		SELECT $1, account_id, source, source_id, event, '', 'stuck:' || delivery_id, payload, job_payload, 'received', 0, '',
			order_key, received_at, updated_at
		FROM event_executions WHERE source = $2 AND delivery_id = $3`, id, source, dedupe)
	b.h.Exec(`INSERT INTO event_runs (event_id, account_id, consumer, status, attempts, last_error, updated_at, run_at)
		SELECT id, account_id, 'gateway', 'received', 0, '', updated_at, $2 FROM event_executions WHERE id = $1`,
		id, time.Now().Add(time.Hour).UTC())
	if b.h.Count(`SELECT count(*) FROM event_runs WHERE event_id = $1`, id) != 1 {
		t.Fatalf("no copy of %s %s", source, dedupe)
	}
	return id
}

// release makes the stuck execution due: the dispatcher's next look
// handles it (its messages are already bridged, so it adds nothing).
func (b *bridge) release(id string) {
	b.h.Exec(`UPDATE event_runs SET run_at = $2 WHERE event_id = $1`, id, time.Now().Add(-time.Minute).UTC())
}

// sentText reports whether a text went out to WhatsApp.
func (b *bridge) sentText(text string) bool {
	for _, s := range b.evo.Sent("vendas") {
		if s.Text == text {
			return true
		}
	}
	return false
}
