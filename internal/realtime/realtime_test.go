package realtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/realtime"
)

// room is a test domain: anyone may read "room:…" topics and publish
// typing events there.
type room struct{}

func (room) Authorize(context.Context, *realtime.Viewer, string) (realtime.Filter, error) {
	return func(*realtime.Event) bool { return true }, nil
}

func (room) MayPublish(_ context.Context, _ *realtime.Viewer, _, event string) bool {
	return strings.HasPrefix(event, "typing.")
}

func open(t *testing.T, h *apptest.Hub, token, accountID string) *websocket.Conn {
	t.Helper()
	var tk struct {
		Ticket string `json:"ticket"`
	}
	h.Do(apptest.Req{Method: "POST", Path: "/api/v1/realtime/tickets", Token: token, Body: map[string]string{"account_id": accountID}}).
		Expect(t, 201).Decode(t, &tk)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(h.URL, "http", "ws", 1)+"/api/v1/realtime?ticket="+tk.Ticket, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

func send(t *testing.T, ws *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, ws *websocket.Conn) map[string]any {
	t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), apptest.EventuallyTimeout)
		_, raw, err := ws.Read(ctx)
		cancel()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if m["type"] != "ping" {
			return m
		}
	}
}

// Ephemeral events reach the topic's other sockets (through NOTIFY on
// PostgreSQL) and are never stored; a domain decides who may publish.
func TestEphemeral(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		h.App.Realtime.Register("room", iam.PermChatRead, room{})
		tn := h.NewTenant(h.LoginSuper(), "Chat")
		a, b := open(t, h, tn.Admin.Token, tn.ID), open(t, h, tn.Admin.Token, tn.ID)
		for _, ws := range []*websocket.Conn{a, b} {
			send(t, ws, map[string]any{"type": "subscribe", "topics": []string{"room:1"}})
			if m := read(t, ws); m["type"] != "subscribed" {
				t.Fatalf("subscribe: %v", m)
			}
		}
		send(t, a, map[string]any{"type": "publish", "topic": "room:1", "event": "presence.away"})
		if m := read(t, a); m["type"] != "error" || m["code"] != "FORBIDDEN" {
			t.Fatalf("a refused event: %v", m)
		}
		send(t, a, map[string]any{"type": "publish", "topic": "room:1", "event": "typing.started", "data": map[string]any{"x": 1}})
		m := read(t, b)
		data, _ := m["data"].(map[string]any)
		if m["type"] != "ephemeral" || m["event"] != "typing.started" || m["seq"] != nil || data["user_id"] != tn.Admin.UserID {
			t.Fatalf("b got %v", m)
		}
		if err := h.App.Realtime.Ephemeral(context.Background(), tn.ID, "room:1", "typing.stopped", map[string]any{}); err != nil {
			t.Fatal(err)
		}
		if m := read(t, b); m["event"] != "typing.stopped" {
			t.Fatalf("server-side ephemeral: %v", m)
		}
		if n := h.Count(`SELECT count(*) FROM events WHERE account_id = $1`, tn.ID); n != 0 {
			t.Fatalf("%d ephemeral events stored", n)
		}
	})
}
