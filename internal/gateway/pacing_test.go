package gateway_test

import (
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// A burst of agent replies to one chat goes out in order, spaced by the
// jittered gap, with typing shown before each paced send: the spacing is
// read from the simulator's record of the sends, not from the test's clock.
func TestOutboundPacing(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		const gap = 400 * time.Millisecond
		b := newBridge(t, dialect, "WHATPRO_GATEWAY_SEND_GAP="+gap.String(), "WHATPRO_GATEWAY_SEND_TYPING=true")
		b.write(t, map[string]any{"from": "5511987650031", "text": "oi"})
		apptest.Eventually(t, "the conversation", func() bool { return len(b.convs()) == 1 })
		conv := b.onlyConversation(t).DisplayID
		texts := []string{"um", "dois", "três"}
		for _, s := range texts {
			b.replyStored(t, conv, map[string]any{"content": s})
		}
		apptest.Eventually(t, "three sends", func() bool { return len(b.evo.Sent("vendas")) == 3 })
		sent := b.evo.Sent("vendas")
		var prev time.Time
		for i, s := range sent {
			if s.Text != texts[i] {
				t.Fatalf("send %d is %q, want %q (order kept)", i, s.Text, texts[i])
			}
			at, err := time.Parse(time.RFC3339Nano, s.At)
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 && at.Sub(prev) < gap/2 {
				t.Errorf("send %d came %s after the one before, under the gap's lower bound %s", i, at.Sub(prev), gap/2)
			}
			prev = at
		}
		pres := b.evo.Presences("vendas")
		if len(pres) != 2 {
			t.Fatalf("presences: %+v (want typing before the 2nd and 3rd send)", pres)
		}
		for i, p := range pres {
			at, _ := time.Parse(time.RFC3339Nano, p.At)
			sentAt, _ := time.Parse(time.RFC3339Nano, sent[i+1].At)
			if p.Presence != "composing" || p.To != sent[i+1].To || p.Delay <= 0 || p.Delay > int((gap*3/2).Milliseconds()) ||
				!at.Before(sentAt) {
				t.Errorf("presence %d: %+v, send %+v", i, p, sent[i+1])
			}
		}
	})
}
