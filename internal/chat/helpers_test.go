package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/whatpro/hub/internal/apptest"
)

type env struct {
	h      *apptest.Hub
	super  *apptest.Session
	tenant *apptest.Tenant
}

func setup(t *testing.T, dialect string, extraEnv ...string) *env {
	t.Helper()
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv(append([]string{"WHATPRO_RATE_LIMIT_ANON=100000",
		"WHATPRO_RATE_LIMIT_AUTH=100000"}, extraEnv...)...)})
	super := h.LoginSuper()
	return &env{h: h, super: super, tenant: h.NewTenant(super, "Acme")}
}

// person is a member of the tenant with a session.
type person struct {
	*apptest.Session
	name string
}

// member adds a user named name (role agent unless given) and logs in.
func (e *env) member(t testing.TB, name string, role ...string) *person {
	t.Helper()
	r := "agent"
	if len(role) > 0 {
		r = role[0]
	}
	email := apptest.UniqueEmail(strings.ToLower(strings.Fields(name)[0]))
	var m apptest.Invited
	e.h.Do(apptest.Req{Method: "POST", Path: e.path("/users"), Token: e.tenant.Admin.Token,
		Body: map[string]any{"email": email, "name": name, "role": r}}).Expect(t, 201).Decode(t, &m)
	e.h.Activate(m.InvitationURL, apptest.Password)
	s := e.h.Login(email, apptest.Password)
	return &person{Session: s, name: name}
}

func (e *env) path(rest string) string { return "/api/v1/accounts/" + e.tenant.ID + rest }

func (e *env) chat(rest string) string { return e.path("/chat" + rest) }

func (e *env) do(t testing.TB, token, method, path string, body any) *apptest.Resp {
	t.Helper()
	return e.h.Do(apptest.Req{Method: method, Path: path, Token: token, Body: body})
}

type room struct {
	ID           string   `json:"id"`
	Type         string   `json:"type"`
	Name         string   `json:"name"`
	Topic        string   `json:"topic"`
	MemberIDs    []string `json:"member_ids"`
	Member       bool     `json:"member"`
	Role         string   `json:"role"`
	UnreadCount  int      `json:"unread_count"`
	MentionCount int      `json:"mention_count"`
	LastReadSeq  int64    `json:"last_read_seq"`
	Muted        bool     `json:"muted"`
	Hidden       bool     `json:"hidden"`
	LastSeq      int64    `json:"last_seq"`
	ArchivedAt   *string  `json:"archived_at"`
	LastMessage  *message `json:"last_message"`
}

type reaction struct {
	Emoji   string   `json:"emoji"`
	Count   int      `json:"count"`
	UserIDs []string `json:"user_ids"`
}

type attachment struct {
	ID          string  `json:"id"`
	MessageID   *string `json:"message_id"`
	Filename    string  `json:"filename"`
	ContentType string  `json:"content_type"`
	Size        int64   `json:"size"`
	URL         string  `json:"url"`
	Image       bool    `json:"image"`
}

type message struct {
	ID           string                    `json:"id"`
	RoomID       string                    `json:"room_id"`
	Seq          int64                     `json:"seq"`
	Kind         string                    `json:"kind"`
	AuthorID     string                    `json:"author_id"`
	Content      string                    `json:"content"`
	EchoID       *string                   `json:"echo_id"`
	ReplyToID    *string                   `json:"reply_to_id"`
	ReplyTo      *struct{ Excerpt string } `json:"reply_to"`
	Mentions     []string                  `json:"mentions"`
	MentionsRoom bool                      `json:"mentions_room"`
	Reactions    []reaction                `json:"reactions"`
	Attachments  []attachment              `json:"attachments"`
	Conversation *struct {
		Referenced bool   `json:"referenced"`
		CardURL    string `json:"card_url"`
	} `json:"conversation"`
	System    map[string]any `json:"system"`
	PinnedAt  *string        `json:"pinned_at"`
	EditedAt  *string        `json:"edited_at"`
	DeletedAt *string        `json:"deleted_at"`
}

type page struct {
	Data          []message `json:"data"`
	HasMoreBefore bool      `json:"has_more_before"`
	HasMoreAfter  bool      `json:"has_more_after"`
	Seq           int64     `json:"seq"`
}

func (e *env) createRoom(t testing.TB, token string, body map[string]any) room {
	t.Helper()
	var r room
	res := e.do(t, token, "POST", e.chat("/rooms"), body)
	if res.Status != 201 && res.Status != 200 {
		t.Fatalf("create room %v: %d %s", body, res.Status, res.Body)
	}
	res.Decode(t, &r)
	return r
}

func (e *env) room(t testing.TB, token, id string) room {
	t.Helper()
	var r room
	e.do(t, token, "GET", e.chat("/rooms/"+id), nil).Expect(t, 200).Decode(t, &r)
	return r
}

func (e *env) send(t testing.TB, token, roomID string, body map[string]any) message {
	t.Helper()
	var m message
	e.do(t, token, "POST", e.chat("/rooms/"+roomID+"/messages"), body).Expect(t, 201).Decode(t, &m)
	return m
}

func (e *env) say(t testing.TB, token, roomID, text string) message {
	t.Helper()
	return e.send(t, token, roomID, map[string]any{"content": text})
}

func (e *env) messages(t testing.TB, token, roomID, query string) page {
	t.Helper()
	var p page
	e.do(t, token, "GET", e.chat("/rooms/"+roomID+"/messages"+query), nil).Expect(t, 200).Decode(t, &p)
	return p
}

type unread struct {
	UnreadCount  int `json:"unread_count"`
	MentionCount int `json:"mention_count"`
	Rooms        []struct {
		RoomID       string `json:"room_id"`
		UnreadCount  int    `json:"unread_count"`
		MentionCount int    `json:"mention_count"`
	} `json:"rooms"`
}

func (e *env) unread(t testing.TB, token string) unread {
	t.Helper()
	var u unread
	e.do(t, token, "GET", e.chat("/unread"), nil).Expect(t, 200).Decode(t, &u)
	return u
}

// upload posts a file as multipart/form-data.
func (e *env) upload(t testing.TB, token, roomID, filename string, data []byte) *apptest.Resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.h.URL+e.chat("/rooms/"+roomID+"/attachments"), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return &apptest.Resp{Status: res.StatusCode, Header: res.Header, Body: b.Bytes()}
}

// socket is a realtime client.
type socket struct {
	t  testing.TB
	ws *websocket.Conn
}

type msg struct {
	Type   string          `json:"type"`
	Seq    int64           `json:"seq"`
	Event  string          `json:"event"`
	Topic  string          `json:"topic"`
	Topics []string        `json:"topics"`
	Code   string          `json:"code"`
	Data   json.RawMessage `json:"data"`
}

func (m msg) message(t testing.TB) message {
	t.Helper()
	var d struct {
		Message message `json:"message"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil {
		t.Fatalf("event data: %s", m.Data)
	}
	return d.Message
}

func (e *env) connect(t testing.TB, token string) *socket {
	t.Helper()
	var out struct {
		Ticket string `json:"ticket"`
	}
	e.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/realtime/tickets", Token: token, Body: map[string]string{"account_id": e.tenant.ID}}).
		Expect(t, 201).Decode(t, &out)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(e.h.URL, "http", "ws", 1)+"/api/v1/realtime?ticket="+out.Ticket, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	return &socket{t: t, ws: ws}
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

// until reads until match, returning the messages before it.
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

func (s *socket) subscribe(lastSeq *int64) msg {
	s.t.Helper()
	body := map[string]any{"type": "subscribe", "topics": []string{"chat"}}
	if lastSeq != nil {
		body["last_seq"] = *lastSeq
	}
	s.send(body)
	m, _ := s.until(func(m msg) bool { return m.Type == "subscribed" || m.Type == "error" || m.Type == "resync" })
	if m.Type != "subscribed" {
		s.t.Fatalf("subscribe answered %+v", m)
	}
	return m
}

func isEvent(name string) func(msg) bool {
	return func(m msg) bool { return m.Type == "event" && m.Event == name }
}

// marker sends a message that must arrive after everything before it: a
// test waits for it to prove that something else did not arrive.
func (e *env) marker(t testing.TB, token, roomID string) message {
	t.Helper()
	return e.say(t, token, roomID, "marker "+time.Now().Format(time.RFC3339Nano))
}

func ptr[T any](v T) *T { return &v }
