package chatwoot_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/intake"
)

// An inbox callback's message event is keyed by its conversation, in the
// webhook_data shape (conversation.id) and the push shape
// (conversation_id); anything else has no key.
func TestCallbackOrderKey(t *testing.T) {
	cases := []struct{ event, body, want string }{
		{"message_created", `{"id":9,"conversation":{"id":42,"contact_inbox":{"source_id":"x"}}}`, "conv:42"},
		{"message_updated", `{"id":9,"conversation":{"id":42}}`, "conv:42"},
		{"message_created", `{"id":9,"conversation_id":43}`, "conv:43"},
		{"message_created", `{"id":9,"conversation":{"assignee_id":null},"conversation_id":44}`, "conv:44"},
		{"message_created", `{"id":9,"conversation":null}`, ""},
		{"message_created", `{"id":9,"conversation":{"id":"42"}}`, ""},
		{"message_created", `{"id":9,"conversation":{"id":0}}`, ""},
		{"message_created", `{"id":9,"conversation":{"id":-4}}`, ""},
		{"message_created", `{"id":9,"conversation":{"id":4.5}}`, ""},
		{"message_created", `{"id":9,"conversation":{"id":1e3}}`, ""},
		{"conversation_status_changed", `{"id":42}`, ""},
	}
	for _, c := range cases {
		obj, err := intake.Decode([]byte(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := chatwoot.CallbackOrderKey(c.event, obj); got != c.want {
			t.Errorf("%s %s: key %q, want %q", c.event, c.body, got, c.want)
		}
	}
}

// FuzzCallbackOrderKey: any callback body gives no key or "conv:" and a
// positive decimal id, the same each time.
func FuzzCallbackOrderKey(f *testing.F) {
	f.Add("message_created", `{"id":9,"conversation":{"id":42}}`)
	f.Add("message_updated", `{"conversation":{"id":"7"},"conversation_id":12345678901234567890}`)
	f.Add("message_created", `{"conversation":[],"conversation_id":-0}`)
	f.Fuzz(func(t *testing.T, event, body string) {
		obj, err := intake.Decode([]byte(body))
		if err != nil {
			return
		}
		k := chatwoot.CallbackOrderKey(event, obj)
		if k == "" {
			return
		}
		id, ok := strings.CutPrefix(k, "conv:")
		if !ok || id == "" || id[0] == '0' || len(id) > 19 || strings.Trim(id, "0123456789") != "" {
			t.Fatalf("key %q from %s", k, body)
		}
		if again := chatwoot.CallbackOrderKey(event, obj); again != k {
			t.Fatalf("key %q then %q", k, again)
		}
	})
}
