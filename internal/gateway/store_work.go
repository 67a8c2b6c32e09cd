package gateway

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// work is one gateway_work item: a step of one lane, done in seq order.
type work struct {
	ID, AccountID, InstanceID, Lane, Seq, DedupeKey, Kind, Payload, Status string
	SourceID, ExecutionID, OrderKey                                        string // the stored event it came from
	Attempts                                                               int
	LastError                                                              string
	NextAt, CreatedAt, UpdatedAt                                           time.Time
}

const workCols = `id, account_id, instance_id, lane, seq, dedupe_key, kind, payload, status, attempts, last_error, next_at,
	created_at, updated_at, source_id, execution_id, order_key`

func scanWork(row interface{ Scan(...any) error }) (*work, error) {
	w := &work{}
	err := row.Scan(&w.ID, &w.AccountID, &w.InstanceID, &w.Lane, &w.Seq, &w.DedupeKey, &w.Kind, &w.Payload, &w.Status,
		&w.Attempts, &w.LastError, &w.NextAt, &w.CreatedAt, &w.UpdatedAt, &w.SourceID, &w.ExecutionID, &w.OrderKey)
	return w, db.Translate(err)
}

// addWork inserts an item unless its dedupe key is taken (the same
// stored event handled again) and reports whether it was new.
func addWork(ctx context.Context, tx *sql.Tx, w *work) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO gateway_work (id, account_id, instance_id, lane, seq, dedupe_key, kind, payload,
			status, next_at, created_at, updated_at, source_id, execution_id, order_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10, $10, $11, $12, $13)
		ON CONFLICT (account_id, dedupe_key) DO NOTHING`,
		db.NewID(), w.AccountID, w.InstanceID, w.Lane, w.Seq, w.DedupeKey, w.Kind, w.Payload, w.NextAt, w.CreatedAt, w.SourceID, w.ExecutionID, w.OrderKey)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// headOf is the lane's first queued item.
func headOf(ctx context.Context, q db.Querier, lane string) (*work, error) {
	return scanWork(q.QueryRowContext(ctx, `SELECT `+workCols+` FROM gateway_work WHERE lane = $1 AND status = 'queued'
		ORDER BY seq, id LIMIT 1`, lane))
}

func finishWork(ctx context.Context, q db.Querier, w *work, status, lastError string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_work SET status = $1, last_error = $2, attempts = $3, updated_at = $4
		WHERE id = $5`, status, clip(lastError, 2000), w.Attempts, now, w.ID)
	return err
}

// deferWork keeps the item at the head of its lane until next.
func deferWork(ctx context.Context, q db.Querier, w *work, lastError string, next, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_work SET attempts = $1, last_error = $2, next_at = $3, updated_at = $4
		WHERE id = $5`, w.Attempts, clip(lastError, 2000), next, now, w.ID)
	return err
}

// readyLanes are lanes whose head may run now (the sweeper's list).
func readyLanes(ctx context.Context, q db.Querier, now time.Time, limit int) ([][2]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT account_id, lane FROM gateway_work WHERE status = 'queued' AND next_at <= $1
		LIMIT $2`, now, limit)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) ([2]string, error) {
		var out [2]string
		return out, r.Scan(&out[0], &out[1])
	})
}
