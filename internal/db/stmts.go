package db

import (
	"context"
	"database/sql"
	"sync"
)

// stmts caches prepared read statements by their text: SQLite parses and
// plans a statement on every unprepared query, which costs more than
// running a small one (PostgreSQL's driver caches its own).
type stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// Reads is a Querier on the read pool whose queries are prepared once and
// reused: for the hot read paths, whose SQL text is fixed in code (never
// pass text built from input, each distinct text stays prepared). On
// PostgreSQL it is the pool itself: pgx caches prepared statements per
// connection, and database/sql's own would cost extra round trips.
func (d *DB) Reads() Querier {
	if d.Dialect != SQLite {
		return d.R
	}
	return readStmts{d}
}

type readStmts struct{ d *DB }

func (q readStmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	c := &q.d.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s, nil
	}
	s, err := q.d.R.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = s
	return s, nil
}

func (q readStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.d.R.ExecContext(ctx, query, args...)
}

func (q readStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (q readStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := q.stmt(ctx, query)
	if err != nil {
		return q.d.R.QueryRowContext(ctx, query, args...) // answers with the same error
	}
	return s.QueryRowContext(ctx, args...)
}

func (c *stmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		_ = s.Close()
	}
	c.m = nil
}
