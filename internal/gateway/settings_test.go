package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/httpx"
)

// A number's pacing is its own when set, the hub's default when not:
// admins read and replace it through the API (bad values refused by
// field, changing nothing; every change audited), and the next sends use
// it, as the simulator's record of the sends shows.
func TestNumberPacingSettings(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		// the hub's defaults: no gap, no rate limit, typing on (shown only during a gap)
		b := newBridge(t, dialect)
		path := "/gateway/numbers/" + b.iid + "/settings"
		var st struct {
			InstanceID    string `json:"instance_id"`
			Groups        string `json:"groups"`
			SendGapMS     *int   `json:"send_gap_ms"`
			SendPerMinute *int   `json:"send_per_minute"`
			SendTyping    *bool  `json:"send_typing"`
			Defaults      struct {
				SendGapMS     int  `json:"send_gap_ms"`
				SendPerMinute int  `json:"send_per_minute"`
				SendTyping    bool `json:"send_typing"`
			} `json:"defaults"`
			Effective struct {
				SendGapMS     int  `json:"send_gap_ms"`
				SendPerMinute int  `json:"send_per_minute"`
				SendTyping    bool `json:"send_typing"`
			} `json:"effective"`
		}
		b.do(t, "GET", path, nil).Expect(t, 200).Decode(t, &st)
		if st.InstanceID != b.iid || st.Groups != "contact" || st.SendGapMS != nil || st.SendPerMinute != nil || st.SendTyping != nil ||
			st.Defaults.SendGapMS != 0 || st.Defaults.SendPerMinute != 0 || !st.Defaults.SendTyping || st.Effective != st.Defaults {
			t.Fatalf("a number that saved nothing: %+v", st)
		}

		// bad values: each field named with its code and bounds; nothing changes
		r := b.do(t, "PUT", path, map[string]any{"groups": "all", "send_gap_ms": 30001, "send_per_minute": -1})
		r.ExpectError(t, 400, httpx.CodeValidation)
		var bad struct {
			Error struct {
				Details []httpx.FieldError `json:"details"`
			} `json:"error"`
		}
		r.Decode(t, &bad)
		got := map[string]httpx.FieldError{}
		for _, d := range bad.Error.Details {
			got[d.Field] = d
		}
		if got["groups"].Code != httpx.FieldInvalid || got["send_gap_ms"].Code != httpx.FieldOutOfRange ||
			got["send_gap_ms"].Params["max"] != float64(30000) || got["send_per_minute"].Code != httpx.FieldOutOfRange ||
			got["send_per_minute"].Params["min"] != float64(0) || len(got) != 3 {
			t.Fatalf("field errors: %s", r.Body)
		}
		b.do(t, "PUT", path, map[string]any{"send_gap_ms": "400"}).ExpectError(t, 400, httpx.CodeValidation)
		b.do(t, "PUT", path, map[string]any{"send_gap": 400}).Expect(t, 400)
		if n := b.h.Count(`SELECT count(*) FROM gateway_settings`); n != 0 {
			t.Fatalf("a refused change wrote %d rows", n)
		}

		// not for supervisors or agents; another account's number is not found
		for _, role := range []string{"supervisor", "agent"} {
			m := b.h.NewMember(b.ten.Admin.Token, b.ten.ID, role)
			for _, method := range []string{"GET", "PUT"} {
				res := b.h.Do(apptest.Req{Method: method, Path: "/api/v1/accounts/" + b.ten.ID + path, Token: m.Token, Body: map[string]any{}})
				if res.Status != http.StatusForbidden {
					t.Errorf("%s %s as %s: %d", method, path, role, res.Status)
				}
			}
		}
		b.do(t, "GET", "/gateway/numbers/0190a000-0000-7000-8000-000000000000/settings", nil).ExpectError(t, 404, httpx.CodeNotFound)

		const gap = 400
		b.do(t, "PUT", path, map[string]any{"send_gap_ms": gap, "send_per_minute": 600}).Expect(t, 200).Decode(t, &st)
		if st.SendGapMS == nil || *st.SendGapMS != gap || st.SendPerMinute == nil || *st.SendPerMinute != 600 || st.SendTyping != nil ||
			st.Effective.SendGapMS != gap || st.Effective.SendPerMinute != 600 || !st.Effective.SendTyping || st.Defaults.SendGapMS != 0 {
			t.Fatalf("after the change: %+v", st)
		}
		if n := b.h.Count(`SELECT count(*) FROM audit_logs WHERE action = 'gateway_settings.updated' AND resource_id = '` + b.iid + `'`); n != 1 {
			t.Fatalf("%d audit entries for the change", n)
		}

		// the number's gap spaces a burst, with typing shown before each paced send
		b.write(t, map[string]any{"from": "5511987650041", "text": "oi"})
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
			at, err := time.Parse(time.RFC3339Nano, s.At)
			if err != nil {
				t.Fatal(err)
			}
			if s.Text != texts[i] {
				t.Fatalf("send %d is %q, want %q", i, s.Text, texts[i])
			}
			if i > 0 && at.Sub(prev) < gap/2*time.Millisecond {
				t.Errorf("send %d came %s after the one before, under the number's gap's lower bound %dms", i, at.Sub(prev), gap/2)
			}
			prev = at
		}
		// typing is shown for a wait (a send whose gap passed while the hub
		// worked needs none): at least before the 2nd send, never longer than the gap
		pres := b.evo.Presences("vendas")
		if len(pres) == 0 || len(pres) > 2 {
			t.Fatalf("presences: %+v (want typing before paced sends)", pres)
		}
		for _, p := range pres {
			if p.Presence != "composing" || p.Delay <= 0 || p.Delay > gap*3/2 {
				t.Errorf("presence %+v", p)
			}
		}
		typed := len(pres)

		// back to the defaults (no gap): the next sends are not paced, so no typing is shown
		b.do(t, "PUT", path, map[string]any{"send_typing": false}).Expect(t, 200).Decode(t, &st)
		if st.SendGapMS != nil || st.SendTyping == nil || *st.SendTyping || st.Effective.SendGapMS != 0 || st.Effective.SendTyping {
			t.Fatalf("after the reset: %+v", st)
		}
		b.do(t, "PUT", path, map[string]any{"send_gap_ms": 5000, "send_typing": false}).Expect(t, 200)
		b.reply(t, conv, map[string]any{"content": "quatro"})
		b.reply(t, conv, map[string]any{"content": "cinco"})
		apptest.Eventually(t, "five sends", func() bool { return len(b.evo.Sent("vendas")) == 5 })
		sent = b.evo.Sent("vendas")
		a4, _ := time.Parse(time.RFC3339Nano, sent[3].At)
		a5, _ := time.Parse(time.RFC3339Nano, sent[4].At)
		if a5.Sub(a4) < 2500*time.Millisecond {
			t.Errorf("the 5th send came %s after the 4th, under the new gap's lower bound 2.5s", a5.Sub(a4))
		}
		if pres := b.evo.Presences("vendas"); len(pres) != typed {
			t.Fatalf("typing shown although the number turned it off: %+v", pres)
		}
		if n := b.h.Count(`SELECT count(*) FROM audit_logs WHERE action = 'gateway_settings.updated' AND resource_id = '` + b.iid + `'`); n != 3 {
			t.Fatalf("%d audit entries for three changes", n)
		}
	})
}
