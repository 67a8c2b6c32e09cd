package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version   int
	Name      string
	SQL       string
	AppliedAt *time.Time
}

// ErrSchemaNewer means the database was migrated by a newer binary; serving
// with an older one could corrupt data it does not understand.
var ErrSchemaNewer = errors.New("database schema is newer than this binary")

// Migrations lists the embedded migrations of the dialect, in order.
func (d Dialect) Migrations() ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration file %s is not NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %d is missing before %s", i+1, m.Name)
		}
	}
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// Status returns every known migration with its applied time (nil when
// pending) and the highest version recorded in the database.
func (d *DB) Status(ctx context.Context) (known []Migration, dbMax int, err error) {
	known, err = d.Dialect.Migrations()
	if err != nil {
		return nil, 0, err
	}
	applied, err := d.applied(ctx, d.R)
	if err != nil {
		return nil, 0, err
	}
	for i := range known {
		if at, ok := applied[known[i].Version]; ok {
			known[i].AppliedAt = &at
		}
	}
	for v := range applied {
		dbMax = max(dbMax, v)
	}
	return known, dbMax, nil
}

func (d *DB) applied(ctx context.Context, q Querier) (map[int]time.Time, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		if isMissingTable(err) {
			return map[int]time.Time{}, nil
		}
		return nil, err
	}
	defer rows.Close()
	out := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		out[v] = at
	}
	return out, rows.Err()
}

// Migrate applies pending migrations, each in its own transaction. On
// PostgreSQL an advisory lock keeps instances starting together from
// racing. It returns the versions applied.
func (d *DB) Migrate(ctx context.Context) ([]int, error) {
	known, err := d.Dialect.Migrations()
	if err != nil {
		return nil, err
	}
	if _, err := d.W.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	if _, dbMax, err := d.Status(ctx); err != nil {
		return nil, err
	} else if dbMax > len(known) {
		return nil, fmt.Errorf("%w (database has version %d, binary knows %d)", ErrSchemaNewer, dbMax, len(known))
	}
	var done []int
	for _, m := range known {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if d.Dialect == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7270001)`); err != nil {
					return err
				}
			}
			applied, err := d.applied(ctx, tx)
			if err != nil {
				return err
			}
			if _, ok := applied[m.Version]; ok {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.Version, m.Name, Now()); err != nil {
				return err
			}
			done = append(done, m.Version)
			return nil
		})
		if err != nil {
			return done, err
		}
	}
	return done, d.CheckSchema(ctx)
}

// CheckSchema returns nil when every known migration is applied and the
// database holds none the binary does not know.
func (d *DB) CheckSchema(ctx context.Context) error {
	known, dbMax, err := d.Status(ctx)
	if err != nil {
		return err
	}
	if dbMax > len(known) {
		return fmt.Errorf("%w (database has version %d, binary knows %d)", ErrSchemaNewer, dbMax, len(known))
	}
	for _, m := range known {
		if m.AppliedAt == nil {
			return fmt.Errorf("migration %04d_%s is pending", m.Version, m.Name)
		}
	}
	return nil
}

func isMissingTable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "does not exist")
}
