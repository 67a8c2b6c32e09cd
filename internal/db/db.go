// Package db owns the connection to SQLite or PostgreSQL, the schema
// migrations, transactions and the translation of driver errors into the
// sentinels that store code returns.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Dialect names the SQL flavour of a database.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the hub's database. On SQLite, W is a single connection that
// serialises every write (River shares it) and R is a read-only pool; on
// PostgreSQL both are the same pool and Pool is the pgx pool River uses.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB
	Pool    *pgxpool.Pool
	stmts   stmts
	txStmts txStmts
	group   group
}

// Open connects to PostgreSQL when url is set, otherwise to the SQLite file
// at sqlitePath. It fails fast with the reason when the database does not
// answer: the caller decides whether to retry.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*DB, error) {
	return OpenPool(ctx, databaseURL, sqlitePath, 0)
}

// OpenPool is Open with the PostgreSQL pool's size: maxConns when above
// zero, else the URL's pool_max_conns, else max(16, 4 × CPUs).
func OpenPool(ctx context.Context, databaseURL, sqlitePath string, maxConns int) (*DB, error) {
	if databaseURL != "" {
		return openPostgres(ctx, databaseURL, maxConns)
	}
	return openSQLite(ctx, sqlitePath)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	// The database holds password hashes and encrypted secrets: it is the
	// owner's alone. SQLite gives the -wal and -shm files the main file's
	// mode, so creating (or tightening) that one first covers all three.
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The writer's statement journals (a multi-row insert that may stop
	// half-way keeps one) stay in memory instead of a temp file.
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=temp_store(MEMORY)")
	if err != nil {
		return nil, err
	}
	// One writer: SQLite allows a single writer at a time, and queueing in
	// database/sql is kinder than SQLITE_BUSY retries.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	// As many idle as open: database/sql keeps two idle by default and
	// closes the rest, so under concurrency every read would open a new
	// connection (SQLite reads its schema and runs the pragmas again) and
	// prepare its statements on it again.
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, W: w, R: r}, nil
}

func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restrict %s: %w", p, err)
		}
	}
	return nil
}

func openPostgres(ctx context.Context, dsn string, maxConns int) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %s", redactDSN(err.Error(), dsn))
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	// The hub's statements are short: JIT compilation only ever costs. It
	// starts when the planner's estimate passes jit_above_cost, as it does
	// on a table that grew faster than autovacuum analyzed it (the intake's
	// summary of 500 executions took 200 ms, nearly all of it LLVM, after
	// a burst of 40,000 webhooks). The URL's jit parameter still decides.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	if maxConns > 0 {
		cfg.MaxConns = int32(maxConns)
	} else if !strings.Contains(dsn, "pool_max_conns") {
		// pgxpool's default (the CPU count, at least 4) starves a hub whose
		// requests wait on the network, not the CPU; the URL's
		// pool_max_conns still decides when given.
		cfg.MaxConns = int32(max(16, 4*runtime.NumCPU()))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect postgres: %s", redactDSN(err.Error(), dsn))
	}
	sdb := stdlib.OpenDBFromPool(pool)
	return &DB{Dialect: Postgres, W: sdb, R: sdb, Pool: pool}, nil
}

// redactDSN keeps a password in the URL out of error messages.
func redactDSN(msg, dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			return replaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.W.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return d.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close releases every connection.
func (d *DB) Close() error {
	d.stmts.close()
	d.txStmts.close()
	errs := []error{d.W.Close()}
	if d.R != d.W {
		errs = append(errs, d.R.Close())
	}
	if d.Pool != nil {
		d.Pool.Close()
	}
	return errors.Join(errs...)
}

// Now is the clock value stored by the hub: UTC, microsecond precision, so
// both databases keep and compare exactly the same instant.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
