package intake

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Group commit: concurrent Puts are written in one transaction (on
// SQLite the events in multi-row inserts, their executions in others; on
// PostgreSQL both in one statement, batch_pg.go), so a busy intake pays
// one commit for many events. Every caller still
// gets its answer only after the transaction holding its event committed:
// acknowledged means stored.

const maxBatch = 128

type putReq struct {
	ctx     context.Context
	in      Incoming
	display []byte
	job     []byte
	out     Stored
	err     error
	done    chan struct{}
}

type batcher struct {
	once sync.Once
	reqs chan *putReq
}

// Writers is how many transactions Put runs at once (1 on SQLite, which
// has one writer; more on PostgreSQL). Zero means 1.
func (s *Store) writers() int {
	if s.Writers > 0 {
		return s.Writers
	}
	return 1
}

func (s *Store) submit(r *putReq) {
	s.batch.once.Do(func() {
		s.batch.reqs = make(chan *putReq, 4096)
		for range s.writers() {
			go s.loop()
		}
	})
	s.batch.reqs <- r
}

func (s *Store) loop() {
	for r := range s.batch.reqs {
		group := []*putReq{r}
	more:
		for len(group) < maxBatch {
			select {
			case r2 := <-s.batch.reqs:
				group = append(group, r2)
			default:
				break more
			}
		}
		s.writeGroup(group)
	}
}

// writeGroup writes the group in one transaction; when that fails, each
// event is written alone, so one event's failure is only its own.
func (s *Store) writeGroup(group []*putReq) {
	live := group[:0:0]
	for _, r := range group {
		if r.ctx.Err() != nil {
			r.err = r.ctx.Err()
			close(r.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if s.DB.Dialect == db.Postgres {
		err = s.writeGroupPG(ctx, live) // one statement, its own transaction
	} else {
		err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.writeTx(ctx, tx, live) })
	}
	if err != nil && len(live) > 1 {
		for _, r := range live {
			r.err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.writeTx(ctx, tx, []*putReq{r}) })
		}
		s.wake()
		for _, r := range live {
			close(r.done)
		}
		return
	}
	if err == nil {
		s.wake()
	}
	for _, r := range live {
		r.err = err
		close(r.done)
	}
}

// writeTx writes the group's events (duplicates of a stored event, or of
// an earlier one of the group, are left out), then their executions, each
// kind in as few multi-row statements as fit.
// wake tells the dispatcher that executions may be due.
func (s *Store) wake() {
	if w, ok := s.Consumers.(interface{ Wake() }); ok {
		w.Wake()
	}
}

func (s *Store) writeTx(ctx context.Context, tx *sql.Tx, group []*putReq) error {
	now := nowOf(s.Now)
	rows, err := s.rows(ctx, group)
	if err != nil {
		return err
	}
	q := s.DB.InTx(tx)
	fresh, err := insertEvents(ctx, q, rows, now)
	if err != nil {
		return err
	}
	var runs []runRow
	for _, row := range rows {
		if !fresh[row.id] {
			continue
		}
		row.req.out = Stored{ID: row.id, Fresh: true, Ignored: row.reason}
		for _, c := range row.consumers {
			runs = append(runs, runRow{eventID: row.id, accountID: row.req.in.AccountID, consumer: c})
		}
	}
	return insertRuns(ctx, q, runs, now)
}

// rows decides the status and consumers of each event of the group; a
// duplicate of an earlier event of the group is left out (its request
// stays unanswered as stored, so it reads as a duplicate).
func (s *Store) rows(ctx context.Context, group []*putReq) ([]eventRow, error) {
	statuses := map[string]string{}
	keys := make(map[[3]string]bool, len(group))
	rows := make([]eventRow, 0, len(group))
	for _, r := range group {
		r.out = Stored{}
		k := [3]string{r.in.Source, r.in.SourceID, r.in.DedupeKey}
		if keys[k] {
			continue
		}
		keys[k] = true
		row, err := s.row(ctx, r, statuses)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// eventRow is one event about to be inserted.
type eventRow struct {
	req       *putReq
	id        string
	status    string
	reason    string
	consumers []string
}

// row decides an event's status and consumers; statuses keeps the account
// statuses read for the group.
func (s *Store) row(ctx context.Context, r *putReq, statuses map[string]string) (eventRow, error) {
	in := r.in
	reason := in.Ignored
	if reason == "" && !in.Applied && s.AccountStatus != nil {
		st, ok := statuses[in.AccountID]
		if !ok {
			var err error
			if st, err = s.AccountStatus(ctx, in.AccountID); err != nil {
				return eventRow{}, fmt.Errorf("intake: account status: %w", err)
			}
			statuses[in.AccountID] = st
		}
		if st == "suspended" {
			reason = "the account is suspended"
		}
	}
	var consumers []string
	if reason == "" && !in.Applied && s.Consumers != nil {
		consumers = s.Consumers.ConsumersOf(in.Source, in.Event)
		if len(consumers) == 0 {
			reason = "no consumer for " + in.Source + " event " + in.Event
		}
	}
	status := StatusReceived
	switch {
	case reason != "":
		status = StatusIgnored
	case in.Applied:
		status = StatusDone
	}
	return eventRow{req: r, id: db.NewID(), status: status, reason: reason, consumers: consumers}, nil
}

// Rows per multi-row statement: well under SQLite's and PostgreSQL's
// limits on bound parameters.
const rowsPerInsert = 64

// partSize is how many of n rows the next statement takes: a power of two
// up to rowsPerInsert, so a group of any size is written by a few
// statement texts out of seven per table, each parsed once (db.InTx)
// instead of one text per group size parsed on every group.
func partSize(n int) int {
	p := 1
	for p*2 <= n && p*2 <= rowsPerInsert {
		p *= 2
	}
	return p
}

// insertSQL is a table's multi-row INSERT text for n rows: head, then n
// times the row (its placeholders numbered from 2, $1 being now), then
// tail. Texts are built once per size.
type insertSQL struct {
	head, tail string
	row        func(first int) string // the row whose first placeholder is $first
	width      int                    // placeholders per row
	once       sync.Once
	texts      [7]string // by log2(n)
}

func (q *insertSQL) text(n int) string {
	q.once.Do(func() {
		for i := range q.texts {
			var b strings.Builder
			b.WriteString(q.head)
			for r := range 1 << i {
				if r > 0 {
					b.WriteString(", ")
				}
				b.WriteString(q.row(2 + r*q.width))
			}
			b.WriteString(q.tail)
			q.texts[i] = b.String()
		}
	})
	return q.texts[bits.Len(uint(n))-1]
}

var eventsInsert = &insertSQL{
	head: `INSERT INTO event_executions
			(id, account_id, source, source_id, event, delivery_header, delivery_id, payload, job_payload, status, attempts, last_error,
			order_key, received_at, updated_at)
			VALUES `,
	row: func(n int) string {
		return fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, 0, $%d, $%d, $1, $1)",
			n, n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11)
	},
	width: 12,
	tail:  ` ON CONFLICT (source, source_id, delivery_id) DO NOTHING RETURNING id`,
}

var runsInsert = &insertSQL{
	head:  `INSERT INTO event_runs (event_id, account_id, consumer, status, attempts, last_error, updated_at, run_at) VALUES `,
	row:   func(n int) string { return fmt.Sprintf("($%d, $%d, $%d, 'received', 0, '', $1, $1)", n, n+1, n+2) },
	width: 3,
}

// insertEvents inserts the rows whose dedupe key is new and returns the
// ids it inserted.
func insertEvents(ctx context.Context, q db.Querier, rows []eventRow, now time.Time) (map[string]bool, error) {
	fresh := make(map[string]bool, len(rows))
	args := make([]any, 0, 1+eventsInsert.width*partSize(len(rows)))
	for len(rows) > 0 {
		part := rows[:partSize(len(rows))]
		rows = rows[len(part):]
		args = append(args[:0], now)
		for _, row := range part {
			in := row.req.in
			var jobPayload any
			if !bytes.Equal(row.req.display, row.req.job) {
				jobPayload = string(row.req.job)
			}
			args = append(args, row.id, in.AccountID, in.Source, in.SourceID, in.Event, in.DeliveryID, in.DedupeKey,
				string(row.req.display), jobPayload, row.status, row.reason, in.OrderKey)
		}
		res, err := q.QueryContext(ctx, eventsInsert.text(len(part)), args...)
		if err != nil {
			return nil, db.Translate(err)
		}
		for res.Next() {
			var id string
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, err
			}
			fresh[id] = true
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, db.Translate(err)
		}
	}
	return fresh, nil
}

// runRow is one execution about to be inserted.
type runRow struct{ eventID, accountID, consumer string }

// insertRuns inserts executions, due now.
func insertRuns(ctx context.Context, q db.Querier, runs []runRow, now time.Time) error {
	args := make([]any, 0, 1+runsInsert.width*partSize(len(runs)))
	for len(runs) > 0 {
		part := runs[:partSize(len(runs))]
		runs = runs[len(part):]
		args = append(args[:0], now)
		for _, r := range part {
			args = append(args, r.eventID, r.accountID, r.consumer)
		}
		if _, err := q.ExecContext(ctx, runsInsert.text(len(part)), args...); err != nil {
			return db.Translate(err)
		}
	}
	return nil
}
