package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/db"
)

// The worked path: executions wait in event_runs, due at run_at. The
// dispatcher claims due executions in batches (one transaction marks a
// batch processing, counts the attempt and leases it until RescueAfter),
// runs their handlers Workers at a time and records what finished in one
// transaction per batch. A failure is due again after a backoff; the
// attempt that reaches MaxAttempts, or a river.JobCancel, ends it dead. A
// claim whose hub stopped mid-way is claimed again once its lease ran out.
// New executions wake the dispatcher of the hub that stored them; every
// hub also looks for due ones each PollEvery (retries, other instances).

// Defaults of the worked path.
const (
	DefaultWorkers     = 10
	DefaultPollEvery   = time.Second
	DefaultJobTimeout  = 5 * time.Minute
	DefaultRescueAfter = 10 * time.Minute
	maxClaim           = 256
	claimAhead         = 4
)

type outcome struct {
	ex        *Execution
	status    string
	lastError string
	retryAt   time.Time // when failed
}

type runner struct {
	metricsOnce sync.Once
	worked      *prometheus.CounterVec
	took        *prometheus.HistogramVec

	mu     sync.Mutex
	wake   chan struct{}
	stop   chan struct{} // closed: claim nothing more
	cancel context.CancelFunc
	done   chan struct{} // closed when the claimer and every handler ended
}

// Wake tells the dispatcher that executions were stored; it claims them
// at once (a no-op before Start).
func (d *Dispatcher) Wake() {
	d.run.mu.Lock()
	w := d.run.wake
	d.run.mu.Unlock()
	if w == nil {
		return
	}
	select {
	case w <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) workers() int {
	if d.Workers > 0 {
		return d.Workers
	}
	return DefaultWorkers
}

func (d *Dispatcher) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return DefaultMaxAttempts
}

func orDefault(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// Start begins working due executions until Stop.
func (d *Dispatcher) Start(ctx context.Context) error {
	d.run.mu.Lock()
	defer d.run.mu.Unlock()
	if d.run.stop != nil {
		return errors.New("intake: the dispatcher is running already")
	}
	d.run.wake = make(chan struct{}, 1)
	d.run.stop = make(chan struct{})
	d.run.done = make(chan struct{})
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.run.cancel = cancel
	go d.loop(hctx, d.run.wake, d.run.stop, d.run.done)
	return nil
}

// Stop claims nothing more, lets running handlers finish for up to soft,
// then cancels them (their executions are retried) and waits up to hard.
func (d *Dispatcher) Stop(soft, hard time.Duration) error {
	d.run.mu.Lock()
	if d.run.stop == nil {
		d.run.mu.Unlock()
		return nil
	}
	stop, done, cancel := d.run.stop, d.run.done, d.run.cancel
	d.run.stop = nil
	d.run.mu.Unlock()
	close(stop)
	select {
	case <-done:
		cancel()
		return nil
	case <-time.After(soft):
	}
	if d.Log != nil {
		d.Log.Warn("webhook events did not finish in time; cancelling them", "soft_timeout", soft.String())
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-time.After(hard):
		return errors.New("intake: handlers still running after cancellation")
	}
}

// loop claims due executions as slots free up, runs them Workers at a
// time, and records their outcomes in batches.
func (d *Dispatcher) loop(ctx context.Context, wake, stop, done chan struct{}) {
	defer close(done)
	// Up to claimAhead times the workers are claimed at once, so a batch
	// pays its two transactions over more executions; Workers of them run
	// at a time.
	n := d.workers()
	slotsN := min(maxClaim, n*claimAhead)
	free := &slots{n: slotsN, ready: make(chan struct{}, 1)}
	workers := make(chan struct{}, n)
	results := make(chan outcome, slotsN)
	recorded := make(chan struct{})
	go func() { d.recorder(ctx, results, free); close(recorded) }()
	var running sync.WaitGroup
	poll := time.NewTicker(orDefault(d.PollEvery, DefaultPollEvery))
	defer poll.Stop()
	defer func() {
		running.Wait()
		close(results)
		<-recorded
	}()
	for {
		// Wait for free slots, then take every free one.
		var k int
		for k = free.take(); k == 0; k = free.take() {
			select {
			case <-stop:
				return
			case <-free.ready:
			}
		}
		batch, err := d.claimDue(ctx, k)
		if err != nil && d.Log != nil && ctx.Err() == nil {
			d.Log.Error("webhook events not claimed", "error", err.Error())
		}
		free.give(k - len(batch))
		for _, ex := range batch {
			running.Add(1)
			go func() {
				defer running.Done()
				workers <- struct{}{}
				o := d.runOne(ctx, ex)
				<-workers
				results <- o
			}()
		}
		if len(batch) > 0 {
			continue // there may be more due
		}
		// Nothing due: look again when woken.
		select {
		case <-stop:
			return
		case <-wake:
		case <-poll.C:
		}
	}
}

// slots counts the executions the loop may still claim; a recorded batch
// gives its slots back at once, so the next claim takes them all.
type slots struct {
	mu    sync.Mutex
	n     int
	ready chan struct{}
}

func (s *slots) take() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.n
	s.n = 0
	return n
}

func (s *slots) give(n int) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	s.n += n
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// recorder writes outcomes, as many as are waiting in one transaction,
// and frees their workers once written.
func (d *Dispatcher) recorder(ctx context.Context, results <-chan outcome, free *slots) {
	for o := range results {
		batch := []outcome{o}
	more:
		for len(batch) < maxClaim {
			select {
			case o2, ok := <-results:
				if !ok {
					break more
				}
				batch = append(batch, o2)
			default:
				break more
			}
		}
		d.record(ctx, batch)
		free.give(len(batch))
	}
}

// runOne runs consumer's handler on a claimed execution.
func (d *Dispatcher) runOne(ctx context.Context, ex *Execution) outcome {
	if ex.Payload == nil {
		return outcome{ex: ex, status: StatusDead, lastError: "the payload was purged before it was processed"}
	}
	handler := d.handler(ex.Consumer, ex.Source, ex.Event)
	if handler == nil {
		return outcome{ex: ex, status: StatusIgnored, lastError: ex.Consumer + " no longer handles " + ex.Source + " event " + ex.Event}
	}
	hctx, cancel := context.WithTimeout(ctx, orDefault(d.JobTimeout, DefaultJobTimeout))
	defer cancel()
	start := time.Now()
	herr := call(hctx, handler, ex)
	o := d.judge(ex, herr)
	d.metrics()
	d.run.worked.WithLabelValues(ex.Consumer, o.status).Inc()
	d.run.took.WithLabelValues(ex.Consumer).Observe(time.Since(start).Seconds())
	return o
}

func (d *Dispatcher) metrics() {
	d.run.metricsOnce.Do(func() {
		d.run.worked = d.Meter.Counter("executions_total", "Webhook event executions worked, by consumer and outcome (done, failed, dead).", "consumer", "outcome")
		d.run.took = d.Meter.Latency("execution_seconds", "Time a consumer's handler took on an execution.", "consumer")
	})
}

// judge turns a handler's answer into the execution's outcome.
func (d *Dispatcher) judge(ex *Execution, herr error) outcome {
	var jc *rivertype.JobCancelError
	var ig *ignoredError
	switch {
	case herr == nil:
		return outcome{ex: ex, status: StatusDone}
	case errors.As(herr, &ig):
		return outcome{ex: ex, status: StatusIgnored, lastError: ig.reason}
	case errors.As(herr, &jc), ex.Attempts-ex.replayed >= d.maxAttempts():
		return outcome{ex: ex, status: StatusDead, lastError: herr.Error()}
	default:
		return outcome{ex: ex, status: StatusFailed, lastError: herr.Error(), retryAt: nowOf(d.Now).Add(backoff(ex.Attempts))}
	}
}

// backoff is River's: attempt⁴ seconds, ±10%.
func backoff(attempt int) time.Duration {
	s := float64(attempt * attempt * attempt * attempt)
	return time.Duration(s * (0.9 + 0.2*rand.Float64()) * float64(time.Second))
}

// claimDue claims up to n due executions in one transaction.
func (d *Dispatcher) claimDue(ctx context.Context, n int) ([]*Execution, error) {
	now := nowOf(d.Now)
	lease := now.Add(orDefault(d.RescueAfter, DefaultRescueAfter))
	var out []*Execution
	err := d.DB.Tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		if err := d.lazyCommit(ctx, tx); err != nil {
			return err
		}
		q := `UPDATE event_runs SET status = 'processing', attempts = attempts + 1, updated_at = $1, run_at = $2
			WHERE rowid IN (SELECT rowid FROM event_runs WHERE status IN ('received', 'processing', 'failed') AND run_at <= $1
				ORDER BY run_at, event_id LIMIT $3)
			RETURNING event_id, consumer, attempts, replayed_attempts`
		if d.DB.Dialect == db.Postgres {
			// Materialized: the locked batch is chosen once, never
			// re-evaluated by the join.
			q = `WITH c AS MATERIALIZED (SELECT event_id, consumer FROM event_runs
					WHERE status IN ('received', 'processing', 'failed') AND run_at <= $1
					ORDER BY run_at, event_id LIMIT $3 FOR UPDATE SKIP LOCKED)
				UPDATE event_runs r SET status = 'processing', attempts = r.attempts + 1, updated_at = $1, run_at = $2
				FROM c WHERE r.event_id = c.event_id AND r.consumer = c.consumer
				RETURNING r.event_id, r.consumer, r.attempts, r.replayed_attempts`
		}
		rows, err := tx.QueryContext(ctx, q, now, lease, n)
		if err != nil {
			return err
		}
		var ids []string
		seen := map[string]bool{}
		for rows.Next() {
			ex := &Execution{}
			if err := rows.Scan(&ex.ID, &ex.Consumer, &ex.Attempts, &ex.replayed); err != nil {
				rows.Close()
				return err
			}
			out = append(out, ex)
			if !seen[ex.ID] {
				seen[ex.ID] = true
				ids = append(ids, ex.ID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		events, err := loadEvents(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, ex := range out {
			e := events[ex.ID]
			if e == nil {
				return errors.New("intake: a claimed execution has no event " + ex.ID)
			}
			ex.AccountID, ex.Source, ex.SourceID, ex.Event, ex.DeliveryID, ex.Payload = e.AccountID, e.Source, e.SourceID, e.Event, e.DeliveryID, e.Payload
			ex.OrderKey = e.OrderKey
		}
		return summarizeMany(ctx, tx, ids, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadEvents reads the events of ids (what handlers see).
func loadEvents(ctx context.Context, tx *sql.Tx, ids []string) (map[string]*Execution, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, account_id, source, source_id, event, delivery_header, order_key, COALESCE(job_payload, payload)
		FROM event_executions WHERE id IN (`+placeholders(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]*Execution, len(ids))
	for rows.Next() {
		e := &Execution{}
		var payload sql.NullString
		if err := rows.Scan(&e.ID, &e.AccountID, &e.Source, &e.SourceID, &e.Event, &e.DeliveryID, &e.OrderKey, &payload); err != nil {
			return nil, err
		}
		if payload.Valid {
			e.Payload = []byte(payload.String)
		}
		out[e.ID] = e
	}
	return out, rows.Err()
}

// record writes a batch of outcomes in one transaction; it survives a
// cancelled context (a timeout must still show). When the batch cannot be
// written, its executions stay processing and are claimed again once
// their lease runs out.
func (d *Dispatcher) record(ctx context.Context, batch []outcome) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	now := nowOf(d.Now)
	err := d.DB.Tx(wctx, func(tx *sql.Tx) error {
		if err := d.lazyCommit(wctx, tx); err != nil {
			return err
		}
		var ids []string
		seen := map[string]bool{}
		for part := batch; len(part) > 0; {
			chunk := part[:min(len(part), rowsPerInsert)]
			part = part[len(chunk):]
			if err := d.recordChunk(wctx, tx, chunk, now); err != nil {
				return err
			}
			for _, o := range chunk {
				if !seen[o.ex.ID] {
					seen[o.ex.ID] = true
					ids = append(ids, o.ex.ID)
				}
			}
		}
		return summarizeMany(wctx, tx, ids, now)
	})
	if err != nil && d.Log != nil {
		d.Log.Error("webhook event outcomes not recorded", "count", len(batch), "error", err.Error())
		return
	}
	if d.Log != nil {
		for _, o := range batch {
			if o.status == StatusFailed || o.status == StatusDead {
				d.Log.Warn("webhook event failed", "event_id", o.ex.ID, "consumer", o.ex.Consumer, "status", o.status, "error", clip(o.lastError))
			}
		}
	}
}

// lazyCommit lets PostgreSQL answer a claim's or an outcome's commit
// before its WAL reached the disk: what a crash loses of them is only
// work done again (an unclaimed execution is claimed, a lost outcome's
// claim is taken again after its lease), never an acknowledged event.
func (d *Dispatcher) lazyCommit(ctx context.Context, tx *sql.Tx) error {
	if d.DB.Dialect != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`)
	return err
}

// recordChunk writes outcomes in one UPDATE … FROM (VALUES …); only an
// execution still processing (its claim) is changed.
func (d *Dispatcher) recordChunk(ctx context.Context, tx *sql.Tx, chunk []outcome, now time.Time) error {
	ts := "$%d"
	if d.DB.Dialect == db.Postgres {
		ts = "CAST($%d AS TIMESTAMPTZ)"
	}
	var q strings.Builder
	q.WriteString(`UPDATE event_runs SET status = v.status, last_error = v.last_error, updated_at = v.run_at, run_at = v.next_at
		FROM (SELECT column1 AS event_id, column2 AS consumer, column3 AS status, column4 AS last_error, column5 AS run_at, column6 AS next_at
		FROM (VALUES `)
	args := make([]any, 0, 6*len(chunk))
	for i, o := range chunk {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, "+ts+", "+ts+")", n+1, n+2, n+3, n+4, n+5, n+6)
		next := now
		if o.status == StatusFailed {
			next = o.retryAt
		}
		args = append(args, o.ex.ID, o.ex.Consumer, o.status, clip(o.lastError), now, next)
	}
	q.WriteString(`) AS t) AS v
		WHERE event_runs.event_id = v.event_id AND event_runs.consumer = v.consumer AND event_runs.status = 'processing'`)
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// placeholders is "$from, …, $(from+n-1)".
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}
