package kanban_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
)

type env struct {
	h      *apptest.Hub
	super  *apptest.Session
	tenant *apptest.Tenant
}

func setup(t *testing.T, dialect string, opts ...func(*apptest.Options)) *env {
	t.Helper()
	o := apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_RATE_LIMIT_ANON=100000", "WHATPRO_RATE_LIMIT_AUTH=100000")}
	for _, fn := range opts {
		fn(&o)
	}
	h := apptest.New(t, dialect, o)
	super := h.LoginSuper()
	return &env{h: h, super: super, tenant: h.NewTenant(super, "Acme")}
}

func withApp(fn func(*app.Options)) func(*apptest.Options) {
	return func(o *apptest.Options) { fn(&o.AppOpts) }
}

type stage struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	WinProbability int    `json:"win_probability"`
}

type board struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	IsDefault bool    `json:"is_default"`
	Stages    []stage `json:"stages"`
	Seq       int64   `json:"seq"`
}

type card struct {
	ID             string         `json:"id"`
	BoardID        string         `json:"board_id"`
	StageID        string         `json:"stage_id"`
	Status         string         `json:"status"`
	Title          string         `json:"title"`
	ValueCents     int64          `json:"value_cents"`
	Position       float64        `json:"position"`
	Version        int64          `json:"version"`
	Labels         []string       `json:"labels"`
	AssigneeIDs    []string       `json:"assignee_ids"`
	ConversationID *int           `json:"conversation_id"`
	InboxID        *int           `json:"inbox_id"`
	ClosedReason   string         `json:"closed_reason"`
	Contact        *contact       `json:"contact"`
	CustomFields   map[string]any `json:"custom_fields"`
	LastPreview    string         `json:"last_message_preview"`
	ConvStatus     string         `json:"conversation_status"`
	Stale          bool           `json:"stale"`
}

type contact struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type totals struct {
	Count              int   `json:"count"`
	ValueCents         int64 `json:"value_cents"`
	WeightedValueCents int64 `json:"weighted_value_cents"`
}

type cardPage struct {
	Data       []card `json:"data"`
	Pagination struct {
		HasMore    bool   `json:"has_more"`
		NextCursor string `json:"next_cursor"`
	} `json:"pagination"`
	Columns map[string]struct {
		HasMore    bool   `json:"has_more"`
		NextCursor string `json:"next_cursor"`
	} `json:"columns"`
	Totals map[string]totals `json:"totals"`
	Seq    int64             `json:"seq"`
}

func (e *env) path(rest string) string { return "/api/v1/accounts/" + e.tenant.ID + rest }

func (e *env) do(t testing.TB, token, method, path string, body any) *apptest.Resp {
	t.Helper()
	return e.h.Do(apptest.Req{Method: method, Path: path, Token: token, Body: body})
}

// defaultBoard lists boards (creating the default one) and loads it.
func (e *env) defaultBoard(t testing.TB, token string) board {
	t.Helper()
	var list struct {
		Data []board `json:"data"`
	}
	e.do(t, token, "GET", e.path("/boards"), nil).Expect(t, 200).Decode(t, &list)
	for _, b := range list.Data {
		if b.IsDefault {
			var full board
			e.do(t, token, "GET", e.path("/boards/"+b.ID), nil).Expect(t, 200).Decode(t, &full)
			return full
		}
	}
	t.Fatalf("no default board: %+v", list)
	return board{}
}

func (e *env) createCard(t testing.TB, token, boardID string, body map[string]any) card {
	t.Helper()
	var c card
	e.do(t, token, "POST", e.path("/boards/"+boardID+"/cards"), body).Expect(t, 201).Decode(t, &c)
	return c
}

func (e *env) move(t testing.TB, token, boardID string, c card, body map[string]any) *apptest.Resp {
	t.Helper()
	if _, ok := body["version"]; !ok {
		body["version"] = c.Version
	}
	return e.do(t, token, "POST", e.path("/boards/"+boardID+"/cards/"+c.ID+"/move"), body)
}

func (e *env) list(t testing.TB, token, boardID, query string) cardPage {
	t.Helper()
	var p cardPage
	e.do(t, token, "GET", e.path("/boards/"+boardID+"/cards"+query), nil).Expect(t, 200).Decode(t, &p)
	return p
}

// socket is a realtime client.
type socket struct {
	t  testing.TB
	ws *websocket.Conn
}

type msg struct {
	Type      string          `json:"type"`
	Seq       int64           `json:"seq"`
	Event     string          `json:"event"`
	AccountID string          `json:"account_id"`
	Topic     string          `json:"topic"`
	Topics    []string        `json:"topics"`
	Code      string          `json:"code"`
	Data      json.RawMessage `json:"data"`
}

func ticket(t testing.TB, h *apptest.Hub, token, accountID string) string {
	t.Helper()
	var out struct {
		Ticket string `json:"ticket"`
	}
	h.Do(apptest.Req{Method: "POST", Path: "/api/v1/realtime/tickets", Token: token, Body: map[string]string{"account_id": accountID}}).
		Expect(t, 201).Decode(t, &out)
	return out.Ticket
}

func dial(t testing.TB, baseURL, tk string, hdr http.Header) (*socket, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, res, err := websocket.Dial(ctx, strings.Replace(baseURL, "http", "ws", 1)+"/api/v1/realtime?ticket="+tk,
		&websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, res, err
	}
	ws.SetReadLimit(1 << 20)
	s := &socket{t: t, ws: ws}
	t.Cleanup(func() { ws.CloseNow() })
	return s, res, nil
}

func connect(t testing.TB, h *apptest.Hub, token, accountID string) *socket {
	t.Helper()
	s, _, err := dial(t, h.URL, ticket(t, h, token, accountID), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return s
}

func (s *socket) send(v any) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, _ := json.Marshal(v)
	if err := s.ws.Write(ctx, websocket.MessageText, b); err != nil {
		s.t.Fatalf("write: %v", err)
	}
}

// next reads the next message that is not a ping.
func (s *socket) next() msg {
	s.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), apptest.EventuallyTimeout)
		_, raw, err := s.ws.Read(ctx)
		cancel()
		if err != nil {
			s.t.Fatalf("read: %v", err)
		}
		var m msg
		if err := json.Unmarshal(raw, &m); err != nil {
			s.t.Fatalf("not JSON: %s", raw)
		}
		if m.Type != "ping" {
			return m
		}
	}
}

// until reads messages until one matches, returning those before it.
func (s *socket) until(match func(msg) bool) (msg, []msg) {
	s.t.Helper()
	var before []msg
	for {
		m := s.next()
		if match(m) {
			return m, before
		}
		before = append(before, m)
	}
}

func (s *socket) subscribe(topics []string, lastSeq *int64) msg {
	s.t.Helper()
	body := map[string]any{"type": "subscribe", "topics": topics}
	if lastSeq != nil {
		body["last_seq"] = *lastSeq
	}
	s.send(body)
	m := s.next()
	if m.Type != "subscribed" {
		s.t.Fatalf("subscribe %v answered %+v", topics, m)
	}
	return m
}

func isEvent(name string) func(msg) bool {
	return func(m msg) bool { return m.Type == "event" && m.Event == name }
}

func eventCard(t testing.TB, m msg) card {
	t.Helper()
	var d struct {
		Card card `json:"card"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil {
		t.Fatalf("event data: %s", m.Data)
	}
	return d.Card
}

func ptr[T any](v T) *T { return &v }
