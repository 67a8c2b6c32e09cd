package realtime_test

import (
	"regexp"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Fanned-out events are counted by type and their commit-to-fan-out time
// observed; a subscription too far behind counts a resync.
func TestRealtimeMetrics(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_REALTIME_WINDOW_EVENTS=1")})
		tn := h.NewTenant(h.LoginSuper(), "Metrics")
		ws := open(t, h, tn.Admin.Token, tn.ID)
		send(t, ws, map[string]any{"type": "subscribe", "topics": []string{"boards"}})
		if m := read(t, ws); m["type"] != "subscribed" {
			t.Fatalf("subscribe: %v", m)
		}
		for _, name := range []string{"One", "Two", "Three"} {
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + tn.ID + "/boards", Token: tn.Admin.Token,
				Body: map[string]any{"name": name}}).Expect(t, 201)
			if m := read(t, ws); m["event"] != "board.created" {
				t.Fatalf("event: %v", m)
			}
		}
		late := open(t, h, tn.Admin.Token, tn.ID)
		send(t, late, map[string]any{"type": "subscribe", "topics": []string{"boards"}, "last_seq": 0})
		if m := read(t, late); m["type"] != "resync" {
			t.Fatalf("a subscription 3 events behind a window of 1: %v", m)
		}
		body := string(h.Do(apptest.Req{Method: "GET", Path: "/metrics"}).Expect(t, 200).Body)
		for _, want := range []string{
			`whatpro_realtime_events_total\{event="board.created"\} [3-9]`,
			`whatpro_realtime_delivery_seconds_count [3-9]`,
			`whatpro_realtime_delivery_seconds_bucket\{le="120"\} [3-9]`,
		} {
			if !regexp.MustCompile(want).MatchString(body) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if !regexp.MustCompile(`whatpro_realtime_resyncs_total [1-9]`).MatchString(body) {
			t.Errorf("a resync was answered but not counted")
		}
	})
}
