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

// Dispatcher runs the handler registered for each stored event.
type Dispatcher struct {
	DB *db.DB
	// Handlers are keyed by "source:event" (chatwoot:message_created) or
	// "source:*" for every event of a source; the exact key wins.
	Handlers map[string]EventHandler
	Now      func() time.Time
	Log      *slog.Logger
}

// ProcessWorker is the River worker of ProcessArgs jobs.
type ProcessWorker struct {
	river.WorkerDefaults[ProcessArgs]
	Dispatcher *Dispatcher
}

// Work processes the execution. River's backoff spaces the retries; the
// attempt number and the limit come from the job row.
func (w *ProcessWorker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	return w.Dispatcher.Process(ctx, job.Args.ExecutionID, job.Attempt, job.MaxAttempts)
}

const maxErrorLen = 2000

// Process runs one attempt of an execution: it marks it processing,
// calls the handler and records the outcome. attempt and maxAttempts are
// River's; the attempt that reaches maxAttempts ends dead on failure. An
// execution already in a final state is left alone (a duplicate job).
func (d *Dispatcher) Process(ctx context.Context, executionID string, attempt, maxAttempts int) error {
	ex, err := d.claim(ctx, executionID)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("intake: execution %s does not exist", executionID))
	} else if err != nil || ex == nil {
		return err
	}
	if ex.Payload == nil {
		err := errors.New("the payload was purged before it was processed")
		return d.finish(ctx, ex.ID, StatusDead, err.Error(), river.JobCancel(err))
	}
	handler := d.Handlers[ex.Source+":"+ex.Event]
	if handler == nil {
		handler = d.Handlers[ex.Source+":*"]
	}
	if handler == nil {
		return d.finish(ctx, ex.ID, StatusIgnored, "no handler for "+ex.Source+" event "+ex.Event+" yet", nil)
	}
	herr := call(ctx, handler, ex)
	var cancel *rivertype.JobCancelError
	switch {
	case herr == nil:
		return d.finish(ctx, ex.ID, StatusDone, "", nil)
	case errors.As(herr, &cancel), attempt >= maxAttempts:
		return d.finish(ctx, ex.ID, StatusDead, herr.Error(), herr)
	default:
		return d.finish(ctx, ex.ID, StatusFailed, herr.Error(), herr)
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
// it. It returns nil, nil when the execution is already final. processing
// is claimable too: River retries a job whose worker died mid-way.
func (d *Dispatcher) claim(ctx context.Context, id string) (*Execution, error) {
	var ex *Execution
	err := d.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE event_executions SET status = $2, attempts = attempts + 1, updated_at = $3
			WHERE id = $1 AND status IN ('received', 'failed', 'processing')`, id, StatusProcessing, nowOf(d.Now))
		if err != nil {
			return err
		}
		claimed, err := res.RowsAffected()
		if err != nil {
			return err
		}
		e := &Execution{}
		var payload sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT id, account_id, source, source_id, event, delivery_id, payload, attempts
			FROM event_executions WHERE id = $1`, id).
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
		return nil
	})
	return ex, err
}

// finish records the outcome and returns ret, the answer for River. The
// write survives a cancelled job context (a timeout must still show).
func (d *Dispatcher) finish(ctx context.Context, id, status, lastError string, ret error) error {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := d.DB.W.ExecContext(wctx, `UPDATE event_executions SET status = $2, last_error = $3, updated_at = $4 WHERE id = $1`,
		id, status, clip(lastError), nowOf(d.Now))
	if err != nil {
		return errors.Join(ret, fmt.Errorf("intake: record %s for %s: %w", status, id, err))
	}
	if ret != nil && d.Log != nil {
		d.Log.Warn("webhook event failed", "execution_id", id, "status", status, "error", clip(lastError))
	}
	return ret
}

// clip keeps last_error short and valid UTF-8.
func clip(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\x00", "")
	if len(s) > maxErrorLen {
		s = strings.ToValidUTF8(s[:maxErrorLen], "") + "…"
	}
	return s
}
