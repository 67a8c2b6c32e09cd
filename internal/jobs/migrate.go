package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/whatpro/hub/internal/db"
)

// MigrationState reports River's own schema versions.
type MigrationState struct {
	Applied []int
	Pending []int
}

// migrator abstracts the two generic rivermigrate instances.
type migrator interface {
	Migrate(ctx context.Context, dir rivermigrate.Direction, opts *rivermigrate.MigrateOpts) (*rivermigrate.MigrateResult, error)
	ExistingVersions(ctx context.Context) ([]rivermigrate.Migration, error)
	AllVersions() []rivermigrate.Migration
}

func newMigrator(d *db.DB) (migrator, error) {
	if d.Dialect == db.Postgres {
		return rivermigrate.New[pgx.Tx](riverpgxv5.New(d.Pool), nil)
	}
	return rivermigrate.New(riversqlite.New(d.W), nil)
}

// Migrate applies River's migrations up to the version this binary ships.
func Migrate(ctx context.Context, d *db.DB) ([]int, error) {
	m, err := newMigrator(d)
	if err != nil {
		return nil, err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	var done []int
	for _, v := range res.Versions {
		done = append(done, v.Version)
	}
	return done, nil
}

// Status lists River's applied and pending migrations.
func Status(ctx context.Context, d *db.DB) (MigrationState, error) {
	m, err := newMigrator(d)
	if err != nil {
		return MigrationState{}, err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return MigrationState{}, err
	}
	have := map[int]bool{}
	var st MigrationState
	for _, e := range existing {
		have[e.Version] = true
		st.Applied = append(st.Applied, e.Version)
	}
	for _, a := range m.AllVersions() {
		if !have[a.Version] {
			st.Pending = append(st.Pending, a.Version)
		}
	}
	return st, nil
}
