package gateway

import (
	"testing"
	"time"
)

// The number's rate hands out slots a minute/rate apart; a slot further
// than maxInlineWait away is refused without being taken (the item holds).
func TestPacerRate(t *testing.T) {
	var p pacer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, want := range []time.Duration{0, time.Second, 2 * time.Second} {
		if wait, ok := p.reserve("n1", now, 60); !ok || wait != want {
			t.Fatalf("reservation %d: %s %v, want %s", i, wait, ok, want)
		}
	}
	if wait, ok := p.reserve("n1", now, 60); ok || wait != 3*time.Second {
		t.Fatalf("over the inline wait: %s %v", wait, ok)
	}
	if wait, ok := p.reserve("n1", now.Add(time.Second), 60); !ok || wait != 2*time.Second {
		t.Fatalf("a refused reservation took a slot: %s %v", wait, ok)
	}
	if wait, ok := p.reserve("n2", now, 60); !ok || wait != 0 {
		t.Fatalf("another number: %s %v", wait, ok)
	}
	if _, ok := p.reserve("n1", now, 0); !ok {
		t.Fatal("no limit refused")
	}
	for i := 0; i < 1000; i++ {
		if j := jitter(time.Second); j < time.Second/2 || j > 3*time.Second/2 {
			t.Fatalf("jitter %s", j)
		}
	}
}

// The chat gap starts from the last send.
func TestPacerChatGap(t *testing.T) {
	var p pacer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := p.chatWait("c", now); d != 0 {
		t.Fatalf("first message waits %s", d)
	}
	p.sent("c", now, time.Second)
	if d := p.chatWait("c", now); d < time.Second/2 || d > 3*time.Second/2 {
		t.Fatalf("next message waits %s", d)
	}
	if d := p.chatWait("c", now.Add(2*time.Second)); d != 0 {
		t.Fatalf("after the gap: %s", d)
	}
	p.sent("d", now, 0)
	if d := p.chatWait("d", now); d != 0 {
		t.Fatalf("no gap configured: %s", d)
	}
}
