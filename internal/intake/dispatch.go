package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/ops"
)

// EventHandler processes one execution. Returning an error retries it
// after a backoff; river.JobCancel(err) gives up at once (status dead).
// Delivery is at least once: handlers must tolerate seeing an event again.
type EventHandler func(ctx context.Context, ex *Execution) error

// Ignore is what a handler returns for an event it will not act on, for
// a reason an admin should see (a feature off for the account): the
// execution ends ignored with the reason, not retried, and stays
// replayable like any other.
func Ignore(reason string) error { return &ignoredError{reason: reason} }

type ignoredError struct{ reason string }

func (e *ignoredError) Error() string { return "ignored: " + e.reason }

// Dispatcher is the registry of consumers and runs each consumer's
// execution of a stored event: its own attempts, dead letter and replay,
// so one consumer's failure never re-runs another's effect (drain.go).
type Dispatcher struct {
	DB *db.DB
	// Jobs was the queue of one job per execution; the dispatcher keeps it
	// for jobs an older hub queued (ProcessWorker).
	Jobs Enqueuer
	// MaxAttempts is the attempts of one execution (default
	// DefaultMaxAttempts); Workers how many handlers run at once (default
	// DefaultWorkers); PollEvery how often due executions are looked for
	// without a wake-up (default DefaultPollEvery); JobTimeout bounds one
	// handler and RescueAfter is when a claim left by a stopped hub is
	// taken again (defaults DefaultJobTimeout, DefaultRescueAfter).
	MaxAttempts             int
	Workers                 int
	PollEvery               time.Duration
	JobTimeout, RescueAfter time.Duration
	Now                     func() time.Time
	Log                     *slog.Logger
	// Meter, when its Reg is set, exports executions worked by consumer
	// and outcome and their duration (whatpro_intake_…).
	Meter ops.Meter
	reg   registry
	run   runner
}

// ProcessWorker works the intake.process jobs an older hub queued, one
// per execution: it makes the execution due now, so the dispatcher claims
// it like any other (an event stored before executions existed first
// gets one per current consumer).
type ProcessWorker struct {
	river.WorkerDefaults[ProcessArgs]
	Dispatcher *Dispatcher
}

// Work hands the job's execution to the dispatcher.
func (w *ProcessWorker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	d := w.Dispatcher
	if job.Args.Consumer == "" {
		if err := d.fanOut(ctx, job.Args.ExecutionID); err != nil {
			return err
		}
	} else if _, err := d.DB.W.ExecContext(ctx, `UPDATE event_runs SET run_at = $3
		WHERE event_id = $1 AND consumer = $2 AND status IN ('received', 'failed')`,
		job.Args.ExecutionID, job.Args.Consumer, nowOf(d.Now)); err != nil {
		return err
	}
	d.Wake()
	return nil
}

// WorkDue claims the executions due now, up to limit, runs them one
// after the other and records their outcomes; it returns how many it ran.
// The dispatcher started with Start does the same continuously; WorkDue
// serves a caller that drives the clock (tests) or drains without it.
func (d *Dispatcher) WorkDue(ctx context.Context, limit int) (int, error) {
	if limit <= 0 || limit > maxClaim {
		limit = maxClaim
	}
	batch, err := d.claimDue(ctx, limit)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	outcomes := make([]outcome, 0, len(batch))
	for _, ex := range batch {
		outcomes = append(outcomes, d.runOne(ctx, ex))
	}
	d.record(ctx, outcomes)
	return len(batch), nil
}

const maxErrorLen = 2000

// call runs a handler, turning a panic into an error so the execution
// records it instead of staying "processing".
func call(ctx context.Context, h EventHandler, ex *Execution) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, ex)
}

// summarizeMany sets each event's status from its executions (the least
// settled wins: processing, received, failed, dead, done, ignored), its
// attempts to the most any consumer made and its error to the latest.
func summarizeMany(ctx context.Context, tx *sql.Tx, eventIDs []string, now time.Time) error {
	if len(eventIDs) == 0 {
		return nil
	}
	args := make([]any, 0, len(eventIDs)+1)
	args = append(args, now)
	for _, id := range eventIDs {
		args = append(args, id)
	}
	// Events without executions (stored before executions existed) are
	// left alone. That test is a scalar subquery, not an EXISTS: PostgreSQL
	// turned the EXISTS into a semi-join over the whole of event_runs (a
	// hash of every execution; 50 ms per batch at 85,000 rows, before
	// autovacuum had analyzed the table), so working a backlog slowed down
	// as the backlog grew. A scalar subquery is run per updated row, on the
	// primary key.
	_, err := tx.ExecContext(ctx, `UPDATE event_executions SET
		status = (SELECT CASE
			WHEN SUM(CASE WHEN r.status = 'processing' THEN 1 ELSE 0 END) > 0 THEN 'processing'
			WHEN SUM(CASE WHEN r.status = 'received' THEN 1 ELSE 0 END) > 0 THEN 'received'
			WHEN SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END) > 0 THEN 'failed'
			WHEN SUM(CASE WHEN r.status = 'dead' THEN 1 ELSE 0 END) > 0 THEN 'dead'
			WHEN SUM(CASE WHEN r.status = 'done' THEN 1 ELSE 0 END) > 0 THEN 'done'
			ELSE 'ignored' END FROM event_runs r WHERE r.event_id = event_executions.id),
		attempts = (SELECT COALESCE(MAX(r.attempts), 0) FROM event_runs r WHERE r.event_id = event_executions.id),
		last_error = COALESCE((SELECT r.last_error FROM event_runs r WHERE r.event_id = event_executions.id AND r.last_error <> ''
			ORDER BY r.updated_at DESC, r.consumer LIMIT 1), ''),
		updated_at = $1
		WHERE id IN (`+placeholders(2, len(eventIDs))+`) AND (SELECT 1 FROM event_runs r WHERE r.event_id = event_executions.id LIMIT 1) IS NOT NULL`, args...)
	return err
}

func summarize(ctx context.Context, tx *sql.Tx, eventID string, now time.Time) error {
	return summarizeMany(ctx, tx, []string{eventID}, now)
}

// fanOut turns the job of an event stored before executions existed into
// one execution per current consumer.
func (d *Dispatcher) fanOut(ctx context.Context, eventID string) error {
	now := nowOf(d.Now)
	return d.DB.Tx(ctx, func(tx *sql.Tx) error {
		var accountID, source, event string
		err := tx.QueryRowContext(ctx, `SELECT account_id, source, event FROM event_executions
			WHERE id = $1 AND status IN ('received', 'failed', 'processing')
			AND NOT EXISTS (SELECT 1 FROM event_runs WHERE event_id = $1)`, eventID).Scan(&accountID, &source, &event)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		consumers := d.ConsumersOf(source, event)
		if len(consumers) == 0 {
			_, err := tx.ExecContext(ctx, `UPDATE event_executions SET status = $2, last_error = $3, updated_at = $4 WHERE id = $1`,
				eventID, StatusIgnored, "no consumer for "+source+" event "+event, now)
			return err
		}
		if err := addRuns(ctx, tx, accountID, eventID, consumers, now); err != nil {
			return err
		}
		return summarize(ctx, tx, eventID, now)
	})
}

// clip keeps last_error short and valid UTF-8.
func clip(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\x00", "")
	if len(s) > maxErrorLen {
		s = strings.ToValidUTF8(s[:maxErrorLen], "") + "…"
	}
	return s
}
