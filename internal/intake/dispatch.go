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
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/db"
)

// EventHandler processes one execution. Returning an error retries it with
// River's backoff; river.JobCancel(err) gives up at once (status dead).
// Delivery is at least once: handlers must tolerate seeing an event again.
type EventHandler func(ctx context.Context, ex *Execution) error

// Dispatcher is the registry of consumers and runs each consumer's
// execution of a stored event: its own attempts, dead letter and replay,
// so one consumer's failure never re-runs another's effect.
type Dispatcher struct {
	DB *db.DB
	// Jobs queues the executions of events stored before the registry
	// (their job names no consumer); set once the queue exists.
	Jobs        Enqueuer
	MaxAttempts int
	Now         func() time.Time
	Log         *slog.Logger
	reg         registry
}

// ProcessWorker is the River worker of ProcessArgs jobs.
type ProcessWorker struct {
	river.WorkerDefaults[ProcessArgs]
	Dispatcher *Dispatcher
}

// Work processes the execution. River's backoff spaces the retries; the
// attempt number and the limit come from the job row.
func (w *ProcessWorker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	if job.Args.Consumer == "" {
		return w.Dispatcher.fanOut(ctx, job.Args.ExecutionID)
	}
	return w.Dispatcher.Process(ctx, job.Args.ExecutionID, job.Args.Consumer, job.Attempt, job.MaxAttempts)
}

const maxErrorLen = 2000

// Process runs one attempt of consumer's execution of an event: it marks
// it processing, calls the handler and records the outcome. attempt and
// maxAttempts are River's; the attempt that reaches maxAttempts ends dead
// on failure. An execution already final is left alone (a duplicate job).
func (d *Dispatcher) Process(ctx context.Context, eventID, consumer string, attempt, maxAttempts int) error {
	ex, err := d.claim(ctx, eventID, consumer)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("intake: %s has no execution of event %s", consumer, eventID))
	} else if err != nil || ex == nil {
		return err
	}
	if ex.Payload == nil {
		err := errors.New("the payload was purged before it was processed")
		return d.finish(ctx, ex, StatusDead, err.Error(), river.JobCancel(err))
	}
	handler := d.handler(consumer, ex.Source, ex.Event)
	if handler == nil {
		return d.finish(ctx, ex, StatusIgnored, consumer+" no longer handles "+ex.Source+" event "+ex.Event, nil)
	}
	herr := call(ctx, handler, ex)
	var cancel *rivertype.JobCancelError
	switch {
	case herr == nil:
		return d.finish(ctx, ex, StatusDone, "", nil)
	case errors.As(herr, &cancel), attempt >= maxAttempts:
		return d.finish(ctx, ex, StatusDead, herr.Error(), herr)
	default:
		return d.finish(ctx, ex, StatusFailed, herr.Error(), herr)
	}
}

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

// claim moves the execution to processing, counts the attempt and loads
// it with its event. It returns nil, nil when the execution is already
// final. processing is claimable too: River retries a job whose worker
// died mid-way.
func (d *Dispatcher) claim(ctx context.Context, eventID, consumer string) (*Execution, error) {
	var ex *Execution
	now := nowOf(d.Now)
	err := d.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE event_runs SET status = $3, attempts = attempts + 1, updated_at = $4
			WHERE event_id = $1 AND consumer = $2 AND status IN ('received', 'failed', 'processing')`,
			eventID, consumer, StatusProcessing, now)
		if err != nil {
			return err
		}
		claimed, err := res.RowsAffected()
		if err != nil {
			return err
		}
		e := &Execution{Consumer: consumer}
		var payload sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT e.id, e.account_id, e.source, e.source_id, e.event, e.delivery_header,
			COALESCE(e.job_payload, e.payload), r.attempts
			FROM event_runs r JOIN event_executions e ON e.id = r.event_id WHERE r.event_id = $1 AND r.consumer = $2`, eventID, consumer).
			Scan(&e.ID, &e.AccountID, &e.Source, &e.SourceID, &e.Event, &e.DeliveryID, &payload, &e.Attempts)
		if err != nil {
			return db.Translate(err)
		}
		if claimed == 0 {
			return nil
		}
		if payload.Valid {
			e.Payload = []byte(payload.String)
		}
		ex = e
		return summarize(ctx, tx, eventID, now)
	})
	return ex, err
}

// finish records the outcome and returns ret, the answer for River. The
// write survives a cancelled job context (a timeout must still show).
func (d *Dispatcher) finish(ctx context.Context, ex *Execution, status, lastError string, ret error) error {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := nowOf(d.Now)
	err := d.DB.Tx(wctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(wctx, `UPDATE event_runs SET status = $3, last_error = $4, updated_at = $5
			WHERE event_id = $1 AND consumer = $2`, ex.ID, ex.Consumer, status, clip(lastError), now); err != nil {
			return err
		}
		return summarize(wctx, tx, ex.ID, now)
	})
	if err != nil {
		return errors.Join(ret, fmt.Errorf("intake: record %s for %s/%s: %w", status, ex.ID, ex.Consumer, err))
	}
	if ret != nil && d.Log != nil {
		d.Log.Warn("webhook event failed", "event_id", ex.ID, "consumer", ex.Consumer, "status", status, "error", clip(lastError))
	}
	return ret
}

// summarize sets the event's status from its executions (the least
// settled wins: processing, received, failed, dead, done, ignored), its
// attempts to the most any consumer made and its error to the latest.
func summarize(ctx context.Context, tx *sql.Tx, eventID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE event_executions SET
		status = (SELECT CASE
			WHEN SUM(CASE WHEN status = 'processing' THEN 1 ELSE 0 END) > 0 THEN 'processing'
			WHEN SUM(CASE WHEN status = 'received' THEN 1 ELSE 0 END) > 0 THEN 'received'
			WHEN SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) > 0 THEN 'failed'
			WHEN SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) > 0 THEN 'dead'
			WHEN SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) > 0 THEN 'done'
			ELSE 'ignored' END FROM event_runs WHERE event_id = $1),
		attempts = (SELECT COALESCE(MAX(attempts), 0) FROM event_runs WHERE event_id = $1),
		last_error = COALESCE((SELECT last_error FROM event_runs WHERE event_id = $1 AND last_error <> ''
			ORDER BY updated_at DESC, consumer LIMIT 1), ''),
		updated_at = $2
		WHERE id = $1 AND EXISTS (SELECT 1 FROM event_runs WHERE event_id = $1)`, eventID, now)
	return err
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
		if err := addRuns(ctx, tx, d.Jobs, d.MaxAttempts, accountID, eventID, consumers, now); err != nil {
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
