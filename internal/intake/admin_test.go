package intake_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/intake"
)

type eventPage struct {
	Data       []map[string]json.RawMessage `json:"data"`
	Pagination struct {
		HasMore    bool   `json:"has_more"`
		NextCursor string `json:"next_cursor"`
	} `json:"pagination"`
}

func (e *env) list(account, query string) eventPage {
	e.t.Helper()
	rec := e.api("GET", "/api/v1/accounts/"+account+"/webhook-events?"+query, nil)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("list %s: %d %s", query, rec.Code, rec.Body)
	}
	var p eventPage
	must(e.t, json.Unmarshal(rec.Body.Bytes(), &p))
	return p
}

func ids(p eventPage) []string {
	var out []string
	for _, ev := range p.Data {
		var id string
		_ = json.Unmarshal(ev["id"], &id)
		out = append(out, id)
	}
	return out
}

func TestListEvents(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		nop := func(context.Context, *intake.Execution) error { return nil }
		must(t, e.disp.RegisterAll("test", map[string]intake.EventHandler{"chatwoot:message_created": nop, "chatwoot:conversation_created": nop}))
		a1 := e.accept(delivery{body: msg("message_created", 1), id: "a1"})
		a2 := e.accept(delivery{body: `{"event":"conversation_created","id":2}`, id: "a2"})
		a3 := e.accept(delivery{body: msg("message_created", 3), id: "a3"})
		b1 := e.accept(delivery{path: "/webhooks/chatwoot/" + linkB, body: `{"event":"contact_created","id":9}`, secret: secretB})
		must(t, work(e.disp, a1, 1, 10))
		e.login()

		all := e.list(e.accA, "")
		if got := ids(all); !slices.Equal(got, []string{a3, a2, a1}) || all.Pagination.HasMore {
			t.Fatalf("list A = %v, want [a3 a2 a1] newest first", got)
		}
		ev := all.Data[2]
		var keys []string
		for k := range ev {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"attempts", "delivery_id", "event", "executions", "id", "last_error", "payload", "received_at", "source", "source_id", "status", "updated_at"}
		if !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want %v", keys, want)
		}
		var payload map[string]any
		must(t, json.Unmarshal(ev["payload"], &payload))
		var runs []intake.Run
		must(t, json.Unmarshal(ev["executions"], &runs))
		if payload["event"] != "message_created" || string(ev["status"]) != `"done"` || string(ev["attempts"]) != "1" ||
			string(ev["last_error"]) != `""` || len(runs) != 1 || runs[0].Consumer != "test" || runs[0].Status != intake.StatusDone ||
			string(ev["source_id"]) != `"`+linkA+`"` || string(ev["delivery_id"]) != `"a1"` {
			t.Fatalf("event a1 = %v", ev)
		}

		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"status=done", []string{a1}},
			{"status=received", []string{a3, a2}},
			{"event=message_created", []string{a3, a1}},
			{"event=message_created&status=received", []string{a3}},
			{"event=contact_created", nil}, // B's event: never listed under A
			{"status=dead", nil},
		} {
			if got := ids(e.list(e.accA, tc.query)); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
			}
		}
		if got := ids(e.list(e.accB, "")); !slices.Equal(got, []string{b1}) {
			t.Fatalf("list B = %v, want only b1", got)
		}

		// Pages of two: every event once.
		p := e.list(e.accA, "limit=2")
		if got := ids(p); !slices.Equal(got, []string{a3, a2}) || !p.Pagination.HasMore {
			t.Fatalf("page 1 = %v %+v", got, p.Pagination)
		}
		p = e.list(e.accA, "limit=2&cursor="+p.Pagination.NextCursor)
		if got := ids(p); !slices.Equal(got, []string{a1}) || p.Pagination.HasMore {
			t.Fatalf("page 2 = %v %+v", got, p.Pagination)
		}

		for _, tc := range []struct{ query, field string }{
			{"status=bogus", "status"},
			{"event=a%20b", "event"},
			{"limit=0", "limit"},
			{"cursor=" + base64.RawURLEncoding.EncodeToString([]byte("not-an-id")), "cursor"},
		} {
			rec := e.api("GET", "/api/v1/accounts/"+e.accA+"/webhook-events?"+tc.query, nil)
			var env struct {
				Error struct {
					Code    string             `json:"code"`
					Details []httpx.FieldError `json:"details"`
				} `json:"error"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &env)
			if rec.Code != http.StatusBadRequest || env.Error.Code != httpx.CodeValidation ||
				!slices.ContainsFunc(env.Error.Details, func(d httpx.FieldError) bool { return d.Field == tc.field }) {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.query, rec.Code, rec.Body, tc.field)
			}
		}

		// Mounted without the guard, the handler has no account: 404.
		req := httptest.NewRequest("GET", "/api/v1/accounts/"+e.accA+"/webhook-events", nil)
		req.SetPathValue("accountID", e.accA)
		rec := httptest.NewRecorder()
		httpx.HandlerFunc(e.hd.ListEvents).ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Fatalf("unguarded list: %d %s", rec.Code, rec.Body)
		}
	})
}

func TestReplay(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		e.hd.IAM = e.h.App.IAM
		must(t, e.disp.Register("test", intake.SourceChatwoot, "message_created", func(context.Context, *intake.Execution) error { return nil }))
		a1 := e.accept(delivery{body: msg("message_created", 1), id: "a1"})
		a2 := e.accept(delivery{body: msg("message_created", 2), id: "a2"})
		b1 := e.accept(delivery{path: "/webhooks/chatwoot/" + linkB, body: msg("message_created", 3), secret: secretB})
		for _, id := range []string{a1, a2, b1} {
			must(t, work(e.disp, id, 1, 10)) // done
		}
		e.login()
		replay := func(account, id string) *httptest.ResponseRecorder {
			return e.api("POST", "/api/v1/accounts/"+account+"/webhook-events/"+id+"/replay", nil)
		}

		rec := replay(e.accA, a1)
		if rec.Code != http.StatusAccepted || strings.TrimSpace(rec.Body.String()) != `{"consumers":["test"],"id":"`+a1+`","status":"received"}` {
			t.Fatalf("replay: %d %s", rec.Code, rec.Body)
		}
		if r := e.row(a1); r.Status != intake.StatusReceived || r.LastError != "" {
			t.Fatalf("replayed row %+v", r)
		}
		if args := e.jobArgs(); len(args) != 1 || args[0].ExecutionID != a1 {
			t.Fatalf("queued %+v, want %s alone", args, a1)
		}
		if n := e.count(`SELECT count(*) FROM audit_logs WHERE chain_id = $1 AND action = 'webhook_event.replayed' AND resource_id = $2`,
			e.accA, a1); n != 1 {
			t.Fatalf("%d audit entries for the replay, want 1", n)
		}
		// The new job processes it again.
		must(t, work(e.disp, a1, 1, 10))
		if r := e.row(a1); r.Status != intake.StatusDone || r.Attempts != 2 {
			t.Fatalf("after the replay job: %+v", r)
		}

		// Queued again already: 409 and no new job.
		if rec := replay(e.accA, a1); rec.Code != http.StatusAccepted {
			t.Fatalf("replay of a done event: %d", rec.Code)
		}
		if rec := replay(e.accA, a1); rec.Code != http.StatusConflict || errorCode(rec) != "CONFLICT" {
			t.Fatalf("replay of a queued event: %d %s, want 409", rec.Code, rec.Body)
		}
		// Another account's event, or none at all: 404, nothing changes.
		before := e.row(b1)
		for _, id := range []string{b1, "0190a000-0000-7000-8000-000000000000", "x"} {
			if rec := replay(e.accA, id); rec.Code != http.StatusNotFound {
				t.Fatalf("replay of %s under A: %d %s, want 404", id, rec.Code, rec.Body)
			}
		}
		if after := e.row(b1); after != before {
			t.Fatalf("B's event changed: %+v → %+v", before, after)
		}
		// A purged payload cannot be replayed.
		e.exec(`UPDATE event_executions SET payload = NULL WHERE id = $1`, a2)
		if rec := replay(e.accA, a2); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "purged") {
			t.Fatalf("replay of a purged event: %d %s, want 409", rec.Code, rec.Body)
		}
		if r := e.row(a2); r.Status != intake.StatusDone {
			t.Fatalf("a refused replay changed the row: %+v", r)
		}
		if p := e.list(e.accA, ""); string(p.Data[0]["payload"]) != "null" {
			t.Fatalf("purged payload listed as %s, want null", p.Data[0]["payload"])
		}
		if args := e.jobArgs(); len(args) != 1 || args[0].ExecutionID != a1 {
			t.Fatalf("queued %+v, want the replayed %s alone", args, a1)
		}

		// An event nobody consumed is replayable once somebody does.
		c1 := e.accept(delivery{body: `{"event":"contact_created","id":11}`})
		if rec := replay(e.accA, c1); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "no consumer") {
			t.Fatalf("replay of an unconsumed event: %d %s, want 409", rec.Code, rec.Body)
		}
		// (The admin route asks the app's registry.)
		must(t, e.h.App.Dispatcher.Register("late", intake.SourceChatwoot, "contact_created", func(context.Context, *intake.Execution) error { return nil }))
		if rec := replay(e.accA, c1); rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), `"consumers":["late"]`) {
			t.Fatalf("replay once a consumer exists: %d %s", rec.Code, rec.Body)
		}
		must(t, workAs(e.h.App.Dispatcher, "late", c1, 1, 10))
		if r := e.row(c1); r.Status != intake.StatusDone {
			t.Fatalf("adopted event: %+v", r)
		}
		if rec := e.api("POST", "/api/v1/accounts/"+e.accA+"/webhook-events/"+a1+"/replay?consumer=nobody", nil); rec.Code != http.StatusConflict {
			t.Fatalf("replay for an unknown consumer: %d %s", rec.Code, rec.Body)
		}
	})
}
