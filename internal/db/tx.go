package db

import (
	"context"
	"database/sql"

	"github.com/google/uuid"
)

// Tx runs fn in a write transaction, committing when fn returns nil. On
// SQLite the transaction takes the single writer connection, so fn must use
// tx, never d.W, or it would wait for itself; and concurrent transactions
// share one commit (group, in group.go), so fn reads through tx what it
// needs to see of other writes, never through d.R.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if d.Dialect == SQLite {
		return d.groupTx(ctx, fn)
	}
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // rollback after commit is a no-op
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// NewID returns a new resource id: a UUIDv7 string, time-ordered so that
// ids double as a stable cursor.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Querier is what *sql.DB and *sql.Tx have in common; store helpers take it
// so they run inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Counts reads rows of (key, count) into a map, closing the rows; pass
// the result of QueryContext straight in (SELECT account_id, count(*) …
// GROUP BY account_id).
func Counts(rows *sql.Rows, err error) (map[string]int, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[key] = n
	}
	return out, rows.Err()
}

// Collect scans every row of a query with scan, closing the rows; pass the
// result of QueryContext straight in.
func Collect[T any](rows *sql.Rows, err error, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
