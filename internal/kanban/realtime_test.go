package kanban_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/intake"
)

// conversationCreated feeds a stored conversation_created event to the
// Kanban's consumer, as the dispatcher would.
func conversationCreated(t testing.TB, e *env, convID, inboxID, contactID int, name string) {
	t.Helper()
	payload := fmt.Sprintf(`{"event":"conversation_created","id":%d,"inbox_id":%d,"status":"open","updated_at":%d.5,
		"meta":{"sender":{"id":%d,"name":%q,"phone_number":"+5511999%06d","type":"contact"}}}`, convID, inboxID, time.Now().Unix(), contactID, name, contactID)
	ex := &intake.Execution{ID: db.NewID(), AccountID: e.tenant.ID, Source: "chatwoot", Event: "conversation_created", Payload: []byte(payload)}
	if err := e.h.App.Kanban.OnConversationCreated(context.Background(), ex); err != nil {
		t.Fatal(err)
	}
}

// Realtime on a board: permission per subscription and per event, live
// moves, resume with replay, resync past the window.
func TestRealtimeBoard(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		b := e.defaultBoard(t, tok)
		agent := e.h.NewMember(tok, e.tenant.ID, "agent")
		e.h.Exec(`INSERT INTO chatwoot_inbox_members (account_id, user_id, inbox_id, synced_at) VALUES ($1, $2, 7, $3)`,
			e.tenant.ID, agent.UserID, time.Now().UTC())
		other := e.h.NewTenant(e.super, "Other")
		otherBoard := (&env{h: e.h, super: e.super, tenant: other}).defaultBoard(t, other.Admin.Token)
		var hidden board
		e.do(t, tok, "POST", e.path("/boards"), map[string]any{"name": "Diretoria", "visibility": "selected"}).Expect(t, 201).Decode(t, &hidden)

		admin := connect(t, e.h, tok, e.tenant.ID)
		sub := admin.subscribe([]string{"board:" + b.ID}, &b.Seq)
		if sub.Seq < b.Seq {
			t.Fatalf("subscribed at %d, board read at %d", sub.Seq, b.Seq)
		}
		ag := connect(t, e.h, agent.Token, e.tenant.ID)
		// Another account's board and a hidden board are refused; the
		// visible board is live.
		ag.send(map[string]any{"type": "subscribe", "topics": []string{"board:" + otherBoard.ID, "board:" + hidden.ID, "board:" + b.ID}})
		for range 2 {
			if m := ag.next(); m.Type != "error" || m.Code != "NOT_FOUND" {
				t.Fatalf("foreign or hidden board: %+v", m)
			}
		}
		if m := ag.next(); m.Type != "subscribed" || len(m.Topics) != 1 || m.Topics[0] != "board:"+b.ID {
			t.Fatalf("visible board: %+v", m)
		}
		ag.send(map[string]any{"type": "subscribe", "topics": []string{"chat:general"}})
		if m := ag.next(); m.Type != "error" {
			t.Fatalf("unknown topic: %+v", m)
		}
		ag.send(map[string]any{"type": "subscribe", "topics": []string{"board:" + b.ID}, "extra": 1})
		if m := ag.next(); m.Type != "error" || m.Code != "BAD_REQUEST" {
			t.Fatalf("bad message: %+v", m)
		}

		// A card of a foreign inbox reaches the admin, not the agent: the
		// agent's first card event is the one of its own inbox.
		conversationCreated(t, e, 100, 9, 500, "Foreign")
		conversationCreated(t, e, 101, 7, 501, "Mine")
		m := admin.next()
		if m.Event != "card.created" || eventCard(t, m).InboxID == nil || *eventCard(t, m).InboxID != 9 || m.AccountID != e.tenant.ID {
			t.Fatalf("admin first event: %+v", m)
		}
		mine := eventCard(t, admin.next())
		if got := eventCard(t, ag.next()); got.ID != mine.ID || *got.InboxID != 7 {
			t.Fatalf("agent got %+v, want its inbox's card %s", got, mine.ID)
		}

		// A move reaches both; a disconnected client resumes with replay.
		e.move(t, tok, b.ID, mine, map[string]any{"stage_id": b.Stages[1].ID}).Expect(t, 200).Decode(t, &mine)
		mv, _ := admin.until(isEvent("card.moved"))
		if eventCard(t, mv).Version != mine.Version {
			t.Fatalf("moved event: %s", mv.Data)
		}
		if got, _ := ag.until(isEvent("card.moved")); got.Seq != mv.Seq {
			t.Fatalf("agent's move seq %d, admin's %d", got.Seq, mv.Seq)
		}
		admin.ws.Close(websocket.StatusNormalClosure, "")
		last := mv.Seq
		e.move(t, tok, b.ID, mine, map[string]any{"stage_id": b.Stages[2].ID}).Expect(t, 200).Decode(t, &mine)
		e.move(t, tok, b.ID, mine, map[string]any{"stage_id": b.Stages[3].ID}).Expect(t, 200).Decode(t, &mine)
		back := connect(t, e.h, tok, e.tenant.ID)
		back.send(map[string]any{"type": "subscribe", "topics": []string{"board:" + b.ID}, "last_seq": last})
		// The two missed moves arrive once each, in order: replayed before
		// "subscribed", or (when the stream had not yet heard of them as the
		// subscription went live) right after it.
		var moves []msg
		var done msg
		for len(moves) < 2 || done.Type == "" {
			m := back.next()
			switch {
			case m.Type == "subscribed" && done.Type == "":
				done = m
			case m.Type == "event" && m.Event == "card.moved":
				moves = append(moves, m)
			case m.Type == "ping":
			default:
				t.Fatalf("unexpected message while resuming: %+v", m)
			}
		}
		r1, r2 := moves[0], moves[1]
		if r1.Seq != last+1 || r2.Seq != last+2 || eventCard(t, r2).StageID != b.Stages[3].ID || done.Seq < last {
			t.Fatalf("replay: %+v %+v %+v", r1, r2, done)
		}
		if done.Seq < r2.Seq {
			done.Seq = r2.Seq
		}
		// Live after the replay.
		e.move(t, tok, b.ID, mine, map[string]any{"stage_id": b.Stages[0].ID}).Expect(t, 200).Decode(t, &mine)
		if live, _ := back.until(isEvent("card.moved")); live.Seq <= done.Seq {
			t.Fatalf("live event %d after subscribed %d", live.Seq, done.Seq)
		}

		// Past the window: resync. A sequence never handed out: resync.
		if err := e.h.App.Realtime.Purge(context.Background(), time.Now().Add(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		late := connect(t, e.h, tok, e.tenant.ID)
		late.send(map[string]any{"type": "subscribe", "topics": []string{"board:" + b.ID}, "last_seq": last})
		if m := late.next(); m.Type != "resync" {
			t.Fatalf("old last_seq: %+v", m)
		}
		late.send(map[string]any{"type": "subscribe", "topics": []string{"board:" + b.ID}, "last_seq": 1 << 40})
		if m := late.next(); m.Type != "resync" {
			t.Fatalf("future last_seq: %+v", m)
		}
		late.subscribe([]string{"board:" + b.ID}, nil)

		// Revoking the agent's session cuts its socket within seconds.
		e.do(t, agent.Token, "DELETE", "/api/v1/sessions/"+agent.SessionID, nil).Expect(t, 204)
		ctx, cancel := context.WithTimeout(context.Background(), apptest.EventuallyTimeout)
		defer cancel()
		for {
			_, _, err := ag.ws.Read(ctx)
			if err != nil {
				if websocket.CloseStatus(err) != 4001 {
					t.Fatalf("socket ended with %v, want close 4001", err)
				}
				break
			}
		}
	})
}

// Tickets are single use, short, bound to the account; a credential from a
// foreign origin is refused before the ticket route (iam binds credentials
// to their account's origins); another tenant cannot mint one.
func TestRealtimeTickets(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		other := e.h.NewTenant(e.super, "Other")
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "another account", Method: "POST", Path: "/api/v1/realtime/tickets", Header: apptest.Bearer(other.Admin.Token),
				Body: map[string]any{"account_id": e.tenant.ID}, Status: 404, Code: "NOT_FOUND"},
			{Name: "foreign origin", Method: "POST", Path: "/api/v1/realtime/tickets",
				Header: map[string]string{"Authorization": "Bearer " + tok, "Origin": "https://evil.example"},
				Body:   map[string]any{"account_id": e.tenant.ID}, Status: 401, Code: "TOKEN_INVALID"},
			{Name: "no scope", Method: "POST", Path: "/api/v1/realtime/tickets",
				Header: apptest.KeyHeader(e.h.CreateAPIKey(tok, e.tenant.ID, "users", "users:read").Key),
				Body:   map[string]any{"account_id": e.tenant.ID}, Status: 403, Code: "FORBIDDEN"},
			{Name: "key with kanban:read", Method: "POST", Path: "/api/v1/realtime/tickets",
				Header: apptest.KeyHeader(e.h.CreateAPIKey(tok, e.tenant.ID, "rt", "kanban:read").Key),
				Body:   map[string]any{"account_id": e.tenant.ID}, Status: 201, Contains: []string{`"ticket":"wpt_`}},
			{Name: "plain GET is no upgrade", Method: "GET", Path: "/api/v1/realtime?ticket=wpt_nothing", Status: 401, Code: "TOKEN_INVALID"},
		})
		tk := ticket(t, e.h, tok, e.tenant.ID)
		if _, res, err := dial(t, e.h.URL, tk, http.Header{"Origin": {"https://evil.example"}}); err == nil || res == nil || res.StatusCode != 403 {
			t.Fatalf("foreign origin upgraded: %v %v", err, res)
		}
		tk = ticket(t, e.h, tok, e.tenant.ID)
		s, _, err := dial(t, e.h.URL, tk, http.Header{"Origin": {strings.TrimSuffix(e.h.URL, "/")}})
		if err != nil {
			t.Fatalf("hub origin: %v", err)
		}
		s.send(map[string]any{"type": "ping"})
		if m := s.next(); m.Type != "pong" {
			t.Fatalf("ping: %+v", m)
		}
		if _, res, err := dial(t, e.h.URL, tk, nil); err == nil || res == nil || res.StatusCode != 401 {
			t.Fatalf("a ticket worked twice: %v", err)
		}
		if n := e.h.Count(`SELECT count(*) FROM realtime_tickets WHERE hash LIKE 'wpt_%'`); n != 0 {
			t.Fatal("tickets are stored in clear")
		}
		// A socket opened with an API key ends when the key is revoked.
		key := e.h.CreateAPIKey(tok, e.tenant.ID, "socket", "kanban:read")
		kr := e.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/realtime/tickets", Header: apptest.KeyHeader(key.Key),
			Body: map[string]any{"account_id": e.tenant.ID}}).Expect(t, 201)
		var kt struct {
			Ticket string `json:"ticket"`
		}
		kr.Decode(t, &kt)
		ks, _, err := dial(t, e.h.URL, kt.Ticket, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.do(t, tok, "DELETE", e.path("/api-keys/"+key.ID), nil).Expect(t, 204)
		ctx, cancel := context.WithTimeout(context.Background(), apptest.EventuallyTimeout)
		defer cancel()
		for {
			if _, _, err := ks.ws.Read(ctx); err != nil {
				if websocket.CloseStatus(err) != 4001 {
					t.Fatalf("key socket ended with %v, want close 4001", err)
				}
				break
			}
		}
	})
}
