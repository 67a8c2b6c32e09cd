package chatwoot_test

import (
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
