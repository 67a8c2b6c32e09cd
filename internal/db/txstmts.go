package db

import (
	"context"
	"database/sql"
	"sync"
)

// maxTxStmts bounds the writer's statement cache: texts fixed in code are
// few; past the bound a text simply runs unprepared.
const maxTxStmts = 256

// txStmts caches statements prepared on SQLite's single writer
// connection, for the hot write paths. A statement cannot be prepared on
// the writer pool while a transaction holds its one connection (that
// would wait for itself), so a text first seen inside a transaction runs
// unprepared and is prepared after the transaction ends; from then on
// every transaction rebinds the prepared statement (tx.StmtContext finds
// it already prepared on that connection, or prepares it there).
type txStmts struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]struct{}
}

// InTx is a Querier for tx whose fixed statement texts are parsed once
// on SQLite (SQLite otherwise parses and plans every statement of every
// transaction). Never pass text built from input: each distinct text
// stays prepared. On PostgreSQL it is tx itself (pgx caches its own).
func (d *DB) InTx(tx *sql.Tx) Querier {
	if d.Dialect != SQLite {
		return tx
	}
	return preparedTx{d: d, tx: tx}
}

type preparedTx struct {
	d  *DB
	tx *sql.Tx
}

// stmt answers the prepared statement of query bound to the transaction,
// or nil (the text is noted to be prepared after the transaction).
func (q preparedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	c := &q.d.txStmts
	c.mu.Lock()
	s, ok := c.m[query]
	if !ok && len(c.m)+len(c.pending) < maxTxStmts {
		if c.pending == nil {
			c.pending = map[string]struct{}{}
		}
		c.pending[query] = struct{}{}
	}
	c.mu.Unlock()
	if !ok {
		return nil
	}
	return q.tx.StmtContext(ctx, s)
}

func (q preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := q.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := q.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := q.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}

// preparePending prepares, on the writer pool, the texts transactions
// noted; it runs after a transaction ended, when the connection is free.
func (d *DB) preparePending(ctx context.Context) {
	c := &d.txStmts
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	texts := make([]string, 0, len(c.pending))
	for t := range c.pending {
		texts = append(texts, t)
	}
	c.pending = nil
	c.mu.Unlock()
	for _, t := range texts {
		s, err := d.W.PrepareContext(context.WithoutCancel(ctx), t)
		if err != nil {
			continue // it runs unprepared, as before; the error shows where it runs
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		if _, dup := c.m[t]; dup {
			_ = s.Close()
		} else {
			c.m[t] = s
		}
		c.mu.Unlock()
	}
}

func (c *txStmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		_ = s.Close()
	}
	c.m, c.pending = nil, nil
}
