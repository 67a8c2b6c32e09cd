package realtime

import (
	"strings"
	"testing"
)

// FuzzParseClientMessage: any bytes from a socket parse into a valid
// message or are refused; never a panic, never a topic that is not one.
func FuzzParseClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"subscribe","topics":["board:0190a1b2-0000-7000-8000-000000000000"],"last_seq":12}`,
		`{"type":"subscribe","topics":["boards"]}`, `{"type":"unsubscribe","topics":["board:x"]}`, `{"type":"ping"}`,
		`{"type":"publish","topic":"chat:room-1","event":"typing.started","data":{"x":1}}`,
		`{"type":"subscribe","topics":[],"last_seq":-1}`, `{"type":"subscribe","topics":["BOARD:x"]}`, `{"type":"x"}{}`,
		`{"type":"subscribe","topics":["board:"]}`, `{"type":"subscribe","topics":["a:b"],"extra":true}`, ``, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseClientMessage(raw)
		if err != nil {
			return
		}
		for _, tp := range m.Topics {
			if !ValidTopic(tp) {
				t.Fatalf("accepted topic %q", tp)
			}
		}
		if m.LastSeq != nil && *m.LastSeq < 0 {
			t.Fatalf("accepted last_seq %d", *m.LastSeq)
		}
		if len(m.Topics) > maxTopics {
			t.Fatalf("%d topics", len(m.Topics))
		}
	})
}

// FuzzValidTopic: a valid topic has a lower-case prefix and no byte that
// could confuse a log, a SQL LIKE or a NOTIFY payload.
func FuzzValidTopic(f *testing.F) {
	for _, s := range []string{"board:abc", "boards", "chat:room:1", ":x", "x:", "a b", "board:%", "board:\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidTopic(s) {
			return
		}
		if strings.ContainsAny(s, " %\x00'\"\\\n") || s[0] == ':' || len(s) > 200 {
			t.Fatalf("accepted %q", s)
		}
		prefix, _, _ := strings.Cut(s, ":")
		if strings.ToLower(prefix) != prefix {
			t.Fatalf("prefix %q", prefix)
		}
	})
}
