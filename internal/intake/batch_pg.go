package intake

import (
	"bytes"
	"context"

	"github.com/whatpro/hub/internal/db"
)

// groupInsertPG writes a group's events and their executions in one
// statement (a data-modifying WITH over arrays), which PostgreSQL runs as
// its own transaction: one round trip for the whole group commit instead
// of BEGIN, an insert per part of each table and COMMIT. Executions are
// inserted only for the events that were new (the join on the inserted
// ids), as insertRuns does for the rows insertEvents reports fresh.
const groupInsertPG = `WITH ev AS (
	INSERT INTO event_executions (id, account_id, source, source_id, event, delivery_header, delivery_id, payload, job_payload,
		status, attempts, last_error, order_key, received_at, updated_at)
	SELECT e.id, e.account_id, e.source, e.source_id, e.event, e.delivery_header, e.delivery_id, e.payload, e.job_payload,
		e.status, 0, e.last_error, e.order_key, $1, $1
	FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
		$11::text[], $12::text[], $13::text[])
		AS e(id, account_id, source, source_id, event, delivery_header, delivery_id, payload, job_payload, status, last_error, order_key)
	ON CONFLICT (source, source_id, delivery_id) DO NOTHING
	RETURNING id),
runs AS (
	INSERT INTO event_runs (event_id, account_id, consumer, status, attempts, last_error, updated_at, run_at)
	SELECT r.event_id, r.account_id, r.consumer, 'received', 0, '', $1, $1
	FROM unnest($14::text[], $15::text[], $16::text[]) AS r(event_id, account_id, consumer) JOIN ev ON ev.id = r.event_id)
SELECT id FROM ev`

// writeGroupPG is writeTx on PostgreSQL, as one statement outside any
// transaction; it reports the ids inserted through the rows' requests.
func (s *Store) writeGroupPG(ctx context.Context, group []*putReq) error {
	now := nowOf(s.Now)
	rows, err := s.rows(ctx, group)
	if err != nil {
		return err
	}
	n := len(rows)
	cols := make([][]*string, 12)
	for i := range cols {
		cols[i] = make([]*string, 0, n)
	}
	var runEvents, runAccounts, runConsumers []string
	str := func(s string) *string { return &s }
	for _, row := range rows {
		in := row.req.in
		var job *string
		if !bytes.Equal(row.req.display, row.req.job) {
			job = str(string(row.req.job))
		}
		for i, v := range []*string{str(row.id), str(in.AccountID), str(in.Source), str(in.SourceID), str(in.Event), str(in.DeliveryID),
			str(in.DedupeKey), str(string(row.req.display)), job, str(row.status), str(row.reason), str(in.OrderKey)} {
			cols[i] = append(cols[i], v)
		}
		for _, c := range row.consumers {
			runEvents, runAccounts, runConsumers = append(runEvents, row.id), append(runAccounts, in.AccountID), append(runConsumers, c)
		}
	}
	args := make([]any, 0, 16)
	args = append(args, now)
	for _, c := range cols {
		args = append(args, c)
	}
	args = append(args, runEvents, runAccounts, runConsumers)
	res, err := s.DB.W.QueryContext(ctx, groupInsertPG, args...)
	if err != nil {
		return db.Translate(err)
	}
	fresh := make(map[string]bool, n)
	for res.Next() {
		var id string
		if err := res.Scan(&id); err != nil {
			res.Close()
			return err
		}
		fresh[id] = true
	}
	res.Close()
	if err := res.Err(); err != nil {
		return db.Translate(err)
	}
	for _, row := range rows {
		if fresh[row.id] {
			row.req.out = Stored{ID: row.id, Fresh: true, Ignored: row.reason}
		}
	}
	return nil
}
