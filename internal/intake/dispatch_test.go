package intake_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/intake"
)

// work runs the River worker once on a fabricated job row, as River would
// for the given attempt.
func work(d *intake.Dispatcher, id string, attempt, maxAttempts int) error {
	w := &intake.ProcessWorker{Dispatcher: d}
	return w.Work(context.Background(), &river.Job[intake.ProcessArgs]{
		JobRow: &rivertype.JobRow{Kind: "intake.process", Attempt: attempt, MaxAttempts: maxAttempts},
		Args:   intake.ProcessArgs{ExecutionID: id},
	})
}

func TestDispatcherOutcomes(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		var seen []*intake.Execution
		var flaky atomic.Int32
		d := &intake.Dispatcher{DB: e.d, Now: e.clock.Now, Handlers: map[string]intake.EventHandler{
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
			"chatwoot_inbox:*": func(context.Context, *intake.Execution) error {
				if flaky.Add(1) == 1 {
					return errors.New("first try fails")
				}
				return nil
			},
		}}

		// A handled event ends done; the handler sees the stored row.
		done := e.accept(delivery{body: msg("message_created", 1), id: "m1"})
		must(t, work(d, done, 1, 10))
		if r := e.row(done); r.Status != intake.StatusDone || r.Attempts != 1 || r.LastError != "" {
			t.Fatalf("handled event: %+v", r)
		}
		if len(seen) != 1 || seen[0].ID != done || seen[0].AccountID != e.accA || seen[0].Source != intake.SourceChatwoot ||
			seen[0].SourceID != linkA || seen[0].Event != "message_created" || seen[0].DeliveryID != "m1" ||
			seen[0].Attempts != 1 || !strings.Contains(string(seen[0].Payload), `"id":1`) {
			t.Fatalf("handler saw %+v", seen)
		}
		// A second job for a final execution changes nothing.
		must(t, work(d, done, 1, 10))
		if r := e.row(done); r.Status != intake.StatusDone || r.Attempts != 1 || len(seen) != 1 {
			t.Fatalf("re-run of a done execution: %+v, handler calls %d", r, len(seen))
		}

		// Nobody handles typing events yet: ignored, visibly, job succeeds.
		ign := e.accept(delivery{body: `{"event":"conversation_typing_on","conversation":{"id":1}}`})
		must(t, work(d, ign, 1, 10))
		if r := e.row(ign); r.Status != intake.StatusIgnored || r.LastError != "no handler for chatwoot event conversation_typing_on yet" {
			t.Fatalf("unhandled event: %+v", r)
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

		// A job for an execution that does not exist is cancelled.
		if err := work(d, "0190a000-0000-7000-8000-000000000000", 1, 10); !errors.As(err, &ce) {
			t.Fatalf("missing execution: %v", err)
		}
	})
}

// The worker registered in River picks up what the webhook stored: the
// job inserted in the intake transaction really runs, on both databases.
func TestRiverRunsStoredEvents(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		got := make(chan string, 1)
		e.disp.Handlers["chatwoot:message_created"] = func(_ context.Context, ex *intake.Execution) error {
			got <- ex.ID
			return nil
		}
		ctx := context.Background()
		must(t, e.h.App.Jobs.Start(ctx))
		t.Cleanup(func() { _ = e.h.App.Jobs.Stop(5*time.Second, time.Second) })
		id := e.accept(delivery{body: msg("message_created", 1)})
		select {
		case ran := <-got:
			if ran != id {
				t.Fatalf("handler ran for %s, want %s", ran, id)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the stored event was never processed")
		}
		eventually(t, 10*time.Second, func() bool { return e.row(id).Status == intake.StatusDone })
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
