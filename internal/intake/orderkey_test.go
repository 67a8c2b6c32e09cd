package intake_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/intake"
)

// The ordering gate's question with order keys: an older pending message
// event of another chat does not hold a chat's event, one of the same
// chat does, and one whose chat is unknown (no key) holds every chat's;
// asked without a key, every older pending event holds, as before keys.
func TestOlderPendingByOrderKey(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		var mu sync.Mutex
		keys := map[string]string{} // execution id → the order key the consumer got
		must(t, e.disp.Register("gateway", intake.SourceProvider, "messages.upsert", func(_ context.Context, ex *intake.Execution) error {
			mu.Lock()
			defer mu.Unlock()
			keys[ex.ID] = ex.OrderKey
			return nil
		}))
		ctx := context.Background()
		put := func(dedupe, key string) string {
			t.Helper()
			st, err := e.store.Put(ctx, intake.Incoming{AccountID: e.accA, Source: intake.SourceProvider, SourceID: "p1:vendas",
				Event: "messages.upsert", DedupeKey: dedupe, OrderKey: key, Payload: []byte(`{"event":"messages.upsert"}`)})
			must(t, err)
			return st.ID
		}
		older := func(key, id string) bool {
			t.Helper()
			pending, err := e.store.OlderPending(ctx, intake.SourceProvider, "p1:vendas", key, id)
			must(t, err)
			return pending
		}
		a1 := put("a1", "chat:A")
		b1 := put("b1", "chat:B")
		a2 := put("a2", "chat:A")
		if older("chat:B", b1) {
			t.Error("chat B's event is held by an older event of chat A")
		}
		if !older("chat:A", a2) {
			t.Error("chat A's event is not held by an older event of chat A")
		}
		if !older("", b1) {
			t.Error("asked without a key, an older event of any chat must hold")
		}
		unknown := put("u1", "")
		b2 := put("b2", "chat:B")
		if !older("chat:B", b2) {
			t.Error("chat B's event is not held by an older event of no key")
		}
		if !older("", unknown) {
			t.Error("an event of no key is not held by older events")
		}
		// Another sender's events never hold.
		other, err := e.store.OlderPending(ctx, intake.SourceProvider, "p1:other", "chat:A", a2)
		must(t, err)
		if other {
			t.Error("another number's events hold this one")
		}
		// Handled, an event holds nobody; the consumer got its key.
		for _, id := range []string{a1, b1, unknown} {
			must(t, workAs(e.disp, "gateway", id, 1, 10))
		}
		if older("chat:A", a2) || older("chat:B", b2) {
			t.Error("events still held after the older ones were handled")
		}
		if !older("chat:B", put("b3", "chat:B")) {
			t.Error("the pending b2 must hold the younger b3 of its chat")
		}
		mu.Lock()
		defer mu.Unlock()
		if keys[a1] != "chat:A" || keys[b1] != "chat:B" || keys[unknown] != "" {
			t.Errorf("the consumer got keys %v", keys)
		}
	})
}

// An order key is stored as given, and one no query should carry (too
// long, with spaces or control bytes) is stored as none rather than
// refusing an authenticated event.
func TestOrderKeyStored(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.sink()
		ctx := context.Background()
		for i, c := range []struct{ key, want string }{
			{"conv:42", "conv:42"}, {"", ""}, {"a b", ""}, {"x\x00", ""}, {strings.Repeat("k", 201), ""},
		} {
			st, err := e.store.Put(ctx, intake.Incoming{AccountID: e.accA, Source: intake.SourceChatwootInbox, SourceID: inboxLinkA,
				Event: "message_created", DedupeKey: "k" + string(rune('a'+i)), OrderKey: c.key, Payload: []byte(msg("message_created", i+1))})
			must(t, err)
			var got string
			must(t, e.d.R.QueryRowContext(ctx, `SELECT order_key FROM event_executions WHERE id = $1`, st.ID).Scan(&got))
			if got != c.want {
				t.Errorf("order key %q stored as %q, want %q", c.key, got, c.want)
			}
		}
	})
}

// The webhook handler asks the source's key function, if the wiring gave
// one, with the event and its decoded body; other sources store no key.
func TestWebhookOrderKeys(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.sink()
		e.hd.OrderKeys = map[string]func(string, map[string]any) string{
			intake.SourceChatwootInbox: func(event string, obj map[string]any) string {
				cv, _ := obj["conversation"].(map[string]any)
				return event + ":" + cv["id"].(interface{ String() string }).String()
			},
		}
		inbox := e.accept(delivery{path: "/webhooks/chatwoot/inboxes/" + inboxLinkA, body: msg("message_created", 1), secret: inboxKey})
		account := e.accept(delivery{body: msg("message_created", 2)})
		for id, want := range map[string]string{inbox: "message_created:42", account: ""} {
			var got string
			must(t, e.d.R.QueryRowContext(context.Background(), `SELECT order_key FROM event_executions WHERE id = $1`, id).Scan(&got))
			if got != want {
				t.Errorf("event %s stored key %q, want %q", id, got, want)
			}
		}
	})
}
