package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/intake"
)

// work runs the "test" consumer's execution of id once, as the
// dispatcher would when it is due, with maxAttempts attempts in all; the
// attempt number is the execution's own. It returns nil when the
// execution ended done or ignored (or nothing was due), the recorded
// error when it failed, and a river.JobCancel of it when it ended dead.
func work(d *intake.Dispatcher, id string, attempt, maxAttempts int) error {
	return workAs(d, "test", id, attempt, maxAttempts)
}

func workAs(d *intake.Dispatcher, consumer, id string, _, maxAttempts int) error {
	ctx := context.Background()
	d.MaxAttempts = maxAttempts
	// Due before anything else (a retry's backoff has passed).
	if _, err := d.DB.W.ExecContext(ctx, `UPDATE event_runs SET run_at = $3 WHERE event_id = $1 AND consumer = $2
		AND status IN ('received', 'failed')`, id, consumer, time.Unix(0, 0).UTC()); err != nil {
		return err
	}
	n, err := d.WorkDue(ctx, 1)
	if err != nil || n == 0 {
		return err
	}
	var status, lastError string
	if err := d.DB.R.QueryRowContext(ctx, `SELECT status, last_error FROM event_runs WHERE event_id = $1 AND consumer = $2`,
		id, consumer).Scan(&status, &lastError); err != nil {
		return err
	}
	switch status {
	case intake.StatusDone, intake.StatusIgnored:
		return nil
	case intake.StatusDead:
		return river.JobCancel(errors.New(lastError))
	default:
		return errors.New(lastError)
	}
}

func TestDispatcherOutcomes(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		var seen []*intake.Execution
		var flaky atomic.Int32
		d := e.disp
		must(t, d.RegisterAll("test", map[string]intake.EventHandler{
			"chatwoot:message_created": func(_ context.Context, ex *intake.Execution) error {
				seen = append(seen, ex)
				return nil
			},
			"chatwoot:conversation_updated": func(context.Context, *intake.Execution) error {
				return errors.New("chatwoot answered 503")
			},
			"chatwoot:contact_updated": func(context.Context, *intake.Execution) error {
				return river.JobCancel(errors.New("the contact is gone"))
			},
			"chatwoot:contact_created": func(context.Context, *intake.Execution) error { panic("boom") },
			"chatwoot:conversation_created": func(context.Context, *intake.Execution) error {
				return intake.Ignore("the feature is off for this account")
			},
			"chatwoot_inbox:*": func(context.Context, *intake.Execution) error {
				if flaky.Add(1) == 1 {
					return errors.New("first try fails")
				}
				return nil
			},
		}))

		// A handled event ends done; the handler sees the stored row.
		done := e.accept(delivery{body: msg("message_created", 1), id: "m1"})
		must(t, work(d, done, 1, 10))
		if r := e.row(done); r.Status != intake.StatusDone || r.Attempts != 1 || r.LastError != "" {
			t.Fatalf("handled event: %+v", r)
		}
		if len(seen) != 1 || seen[0].ID != done || seen[0].AccountID != e.accA || seen[0].Source != intake.SourceChatwoot ||
			seen[0].SourceID != linkA || seen[0].Event != "message_created" || seen[0].DeliveryID != "m1" ||
			seen[0].Attempts != 1 || seen[0].Consumer != "test" || !strings.Contains(string(seen[0].Payload), `"id":1`) {
			t.Fatalf("handler saw %+v", seen)
		}
		// A second job for a final execution changes nothing.
		must(t, work(d, done, 1, 10))
		if r := e.row(done); r.Status != intake.StatusDone || r.Attempts != 1 || len(seen) != 1 {
			t.Fatalf("re-run of a done execution: %+v, handler calls %d", r, len(seen))
		}

		// Nobody consumes typing events: stored ignored at once, no job.
		jobsBefore := e.jobs()
		ign := e.accept(delivery{body: `{"event":"conversation_typing_on","conversation":{"id":1}}`})
		if r := e.row(ign); r.Status != intake.StatusIgnored || r.LastError != "no consumer for chatwoot event conversation_typing_on" {
			t.Fatalf("unconsumed event: %+v", r)
		}
		if e.jobs() != jobsBefore {
			t.Fatal("an event nobody consumes must not queue a job")
		}

		// Failing: failed with the error on each attempt, dead on the last.
		fail := e.accept(delivery{body: `{"event":"conversation_updated","id":5}`})
		for attempt := 1; attempt <= 3; attempt++ {
			err := work(d, fail, attempt, 3)
			if err == nil || !strings.Contains(err.Error(), "503") {
				t.Fatalf("attempt %d returned %v, want the handler's error for River", attempt, err)
			}
			r := e.row(fail)
			want := intake.StatusFailed
			if attempt == 3 {
				want = intake.StatusDead
			}
			if r.Status != want || r.Attempts != attempt || r.LastError != "chatwoot answered 503" {
				t.Fatalf("after attempt %d: %+v, want %s", attempt, r, want)
			}
		}

		// JobCancel gives up at once; a panic is an ordinary failure.
		cancel := e.accept(delivery{body: `{"event":"contact_updated","id":6}`})
		var ce *rivertype.JobCancelError
		if err := work(d, cancel, 1, 10); !errors.As(err, &ce) {
			t.Fatalf("cancel returned %v", err)
		}
		if r := e.row(cancel); r.Status != intake.StatusDead || !strings.Contains(r.LastError, "the contact is gone") {
			t.Fatalf("cancelled: %+v", r)
		}
		pan := e.accept(delivery{body: `{"event":"contact_created","id":7}`})
		if err := work(d, pan, 1, 10); err == nil {
			t.Fatal("a panicking handler must fail the job")
		}
		if r := e.row(pan); r.Status != intake.StatusFailed || !strings.Contains(r.LastError, "boom") {
			t.Fatalf("panicked: %+v", r)
		}

		// A handler's Ignore ends the execution ignored with its reason, at once.
		skip := e.accept(delivery{body: `{"event":"conversation_created","id":10}`})
		must(t, work(d, skip, 1, 10))
		if r := e.row(skip); r.Status != intake.StatusIgnored || r.Attempts != 1 || r.LastError != "the feature is off for this account" {
			t.Fatalf("ignored by its handler: %+v", r)
		}

		// "source:*" catches every event of the inbox source; a failed
		// execution is claimed again by River's retry.
		inbox := e.accept(delivery{path: "/webhooks/chatwoot/inboxes/" + inboxLinkA, body: msg("message_created", 8), secret: inboxKey})
		if err := work(d, inbox, 1, 10); err == nil {
			t.Fatal("first inbox attempt should fail")
		}
		must(t, work(d, inbox, 2, 10))
		if r := e.row(inbox); r.Status != intake.StatusDone || r.Attempts != 2 || r.LastError != "" {
			t.Fatalf("inbox event after a retry: %+v", r)
		}

		// A job an older hub queued for an execution hands it to the
		// dispatcher; one for an execution that does not exist does nothing.
		legacy := e.accept(delivery{body: msg("message_created", 9)})
		e.exec(`UPDATE event_runs SET run_at = $2 WHERE event_id = $1`, legacy, e.clock.Now().Add(time.Hour))
		pw := &intake.ProcessWorker{Dispatcher: d}
		for _, id := range []string{legacy, "0190a000-0000-7000-8000-000000000000"} {
			must(t, pw.Work(context.Background(), &river.Job[intake.ProcessArgs]{JobRow: &rivertype.JobRow{Kind: "intake.process"},
				Args: intake.ProcessArgs{ExecutionID: id, Consumer: "test"}}))
		}
		if n, err := d.WorkDue(context.Background(), 0); err != nil || n != 1 || e.runs(legacy)["test"].Status != intake.StatusDone {
			t.Fatalf("legacy job's execution: ran %d (%v), %+v", n, err, e.runs(legacy))
		}
	})
}

// Registering the same (consumer, source, event) twice is a start-up
// error; two consumers of one event, or one consumer's exact event and
// its "*", are fine.
func TestRegistryRefusesDuplicates(t *testing.T) {
	t.Parallel()
	d := &intake.Dispatcher{}
	nop := func(context.Context, *intake.Execution) error { return nil }
	must(t, d.Register("kanban", intake.SourceChatwoot, "message_created", nop))
	must(t, d.Register("gateway", intake.SourceChatwoot, "message_created", nop))
	must(t, d.Register("gateway", intake.SourceChatwoot, "*", nop))
	if err := d.Register("kanban", intake.SourceChatwoot, "message_created", nop); err == nil {
		t.Fatal("a duplicate registration must fail")
	}
	if err := d.RegisterAll("chat", map[string]intake.EventHandler{"chatwoot:message_created": nop, "nosource": nop}); err == nil {
		t.Fatal("a key without source:event must fail")
	}
	for _, bad := range [][3]string{{"", "chatwoot", "x"}, {"a:b", "chatwoot", "x"}, {"k", "smtp", "x"}, {"k", "chatwoot", "bad event"}} {
		if err := d.Register(bad[0], bad[1], bad[2], nop); err == nil {
			t.Errorf("Register%q must fail", bad)
		}
	}
	if err := d.Register("k", intake.SourceChatwoot, "x", nil); err == nil {
		t.Error("a nil handler must fail")
	}
	got := strings.Join(d.ConsumersOf(intake.SourceChatwoot, "message_created"), ",")
	if got != "chat,gateway,kanban" {
		t.Fatalf("consumers of message_created: %s", got)
	}
	if got := strings.Join(d.ConsumersOf(intake.SourceChatwoot, "contact_updated"), ","); got != "gateway" {
		t.Fatalf("consumers of contact_updated: %s", got)
	}
}

// Two consumers of one event each get their own execution: each runs
// once, one's failures and retries never re-run the other's effect, and a
// replay of one leaves the other alone.
func TestTwoConsumersRunAndRetryIndependently(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		var kanbanRuns, gatewayRuns atomic.Int32
		must(t, e.disp.Register("kanban", intake.SourceChatwoot, "message_created", func(context.Context, *intake.Execution) error {
			kanbanRuns.Add(1)
			return nil
		}))
		must(t, e.disp.Register("gateway", intake.SourceChatwoot, "message_created", func(_ context.Context, ex *intake.Execution) error {
			if gatewayRuns.Add(1) < 3 {
				return errors.New("whatsapp answered 503 on attempt " + strconv.Itoa(ex.Attempts))
			}
			return nil
		}))
		id := e.accept(delivery{body: msg("message_created", 1)})
		if runs := e.runs(id); len(runs) != 2 || runs["kanban"].Status != intake.StatusReceived || runs["gateway"].Status != intake.StatusReceived {
			t.Fatalf("executions: %+v", runs)
		}
		must(t, workAs(e.disp, "kanban", id, 1, 10))
		for attempt := 1; attempt <= 3; attempt++ {
			err := workAs(e.disp, "gateway", id, attempt, 10)
			if (attempt < 3) != (err != nil) {
				t.Fatalf("gateway attempt %d: %v", attempt, err)
			}
			if attempt < 3 && e.row(id).Status != intake.StatusFailed {
				t.Fatalf("after gateway attempt %d the event is %s, want failed", attempt, e.row(id).Status)
			}
		}
		if k, g := kanbanRuns.Load(), gatewayRuns.Load(); k != 1 || g != 3 {
			t.Fatalf("kanban ran %d times, gateway %d; want 1 and 3", k, g)
		}
		if r := e.row(id); r.Status != intake.StatusDone || r.Attempts != 3 || r.LastError != "" {
			t.Fatalf("event after both consumers finished: %+v", r)
		}
		runs := e.runs(id)
		if runs["kanban"].Attempts != 1 || runs["kanban"].Status != intake.StatusDone ||
			runs["gateway"].Attempts != 3 || runs["gateway"].Status != intake.StatusDone {
			t.Fatalf("executions: %+v", runs)
		}

		// The list shows one event with both executions inside.
		e.login()
		rec := e.api("GET", "/api/v1/accounts/"+e.accA+"/webhook-events", nil)
		var page struct {
			Data []intake.Event `json:"data"`
		}
		must(t, json.Unmarshal(rec.Body.Bytes(), &page))
		if len(page.Data) != 1 || len(page.Data[0].Executions) != 2 || page.Data[0].Executions[0].Consumer != "gateway" ||
			page.Data[0].Executions[1].Consumer != "kanban" || page.Data[0].Executions[0].Attempts != 3 {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}

		// Replaying the kanban's execution queues it alone.
		rec = e.api("POST", "/api/v1/accounts/"+e.accA+"/webhook-events/"+id+"/replay?consumer=kanban", nil)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("replay: %d %s", rec.Code, rec.Body)
		}
		if args := e.jobArgs(); len(args) != 1 || args[0].Consumer != "kanban" {
			t.Fatalf("replay queued %v", args)
		}
		must(t, workAs(e.disp, "kanban", id, 1, 10))
		if k, g := kanbanRuns.Load(), gatewayRuns.Load(); k != 2 || g != 3 {
			t.Fatalf("after the replay kanban ran %d times, gateway %d", k, g)
		}
	})
}

// The app's dispatcher, started, works what the webhook stored: the
// execution written in the intake transaction really runs, on both
// databases, woken by the commit.
func TestDispatcherRunsStoredEvents(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		got := make(chan string, 1)
		app := e.h.App.Dispatcher
		e.store.Consumers = app
		e.hd.Consumers = app
		app.Now = e.clock.Now
		must(t, app.Register("test", intake.SourceChatwoot, "message_created", func(_ context.Context, ex *intake.Execution) error {
			got <- ex.ID
			return nil
		}))
		ctx := context.Background()
		must(t, app.Start(ctx))
		t.Cleanup(func() { _ = app.Stop(5*time.Second, time.Second) })
		id := e.accept(delivery{body: msg("message_created", 1)})
		select {
		case ran := <-got:
			if ran != id {
				t.Fatalf("handler ran for %s, want %s", ran, id)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the stored event was never processed")
		}
		eventually(t, 10*time.Second, func() bool { return e.runs(id)["test"].Status == intake.StatusDone })
	})
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(within)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("condition not met within %s", within)
		}
	}
}

// A failed execution waits out its backoff before it is claimed again,
// and a claim left by a hub that stopped mid-way is taken again once its
// lease ran out, never before.
func TestBackoffAndLease(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		var runs atomic.Int32
		d := e.disp
		d.RescueAfter = time.Minute
		must(t, d.Register("test", intake.SourceChatwoot, "message_created", func(context.Context, *intake.Execution) error {
			if runs.Add(1) == 1 {
				return errors.New("first try fails")
			}
			return nil
		}))
		ctx := context.Background()
		id := e.accept(delivery{body: msg("message_created", 1)})
		if n, err := d.WorkDue(ctx, 0); err != nil || n != 1 || e.runs(id)["test"].Status != intake.StatusFailed {
			t.Fatalf("first attempt: ran %d (%v), %+v", n, err, e.runs(id))
		}
		if n, err := d.WorkDue(ctx, 0); err != nil || n != 0 {
			t.Fatalf("claimed during its backoff: ran %d (%v)", n, err)
		}
		e.clock.Set(e.clock.Now().Add(2 * time.Second)) // attempt 1's backoff is about 1 s
		if n, err := d.WorkDue(ctx, 0); err != nil || n != 1 || e.runs(id)["test"].Status != intake.StatusDone || e.runs(id)["test"].Attempts != 2 {
			t.Fatalf("after the backoff: ran %d (%v), %+v", n, err, e.runs(id))
		}

		// A claim whose hub stopped: processing, leased for RescueAfter.
		left := e.accept(delivery{body: msg("message_created", 2)})
		e.exec(`UPDATE event_runs SET status = 'processing', attempts = 1, run_at = $2 WHERE event_id = $1`, left, e.clock.Now().Add(time.Minute))
		if n, err := d.WorkDue(ctx, 0); err != nil || n != 0 {
			t.Fatalf("a leased claim was taken: ran %d (%v)", n, err)
		}
		e.clock.Set(e.clock.Now().Add(61 * time.Second))
		if n, err := d.WorkDue(ctx, 0); err != nil || n != 1 || e.runs(left)["test"].Status != intake.StatusDone || e.runs(left)["test"].Attempts != 2 {
			t.Fatalf("after the lease: ran %d (%v), %+v", n, err, e.runs(left))
		}
		if r := e.row(left); r.Status != intake.StatusDone {
			t.Fatalf("event after the rescued claim: %+v", r)
		}
	})
}
