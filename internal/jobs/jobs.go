// Package jobs owns the background job queue: River wired on SQLite or
// PostgreSQL, its migrations, transactional inserts, metrics and the
// soft-then-hard shutdown.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/db"
)

// Config sets up a Queue.
type Config struct {
	Workers     *river.Workers
	Periodic    []*river.PeriodicJob
	MaxWorkers  int
	Logger      *slog.Logger
	Middleware  []rivertype.Middleware
	PollEvery   time.Duration // default 1s; tests shorten it
	MaxAttempts int           // default River's 25
	// JobTimeout bounds one job (default 5m); RescueAfter is when a job
	// left running by a process that died is retried (default 10m; River's
	// own default of an hour would hold a crashed hub's work that long).
	JobTimeout, RescueAfter time.Duration
}

// runner is what both generic River clients offer for life-cycle control.
type runner interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// Queue runs jobs and inserts them inside business transactions.
//
// On SQLite one River client over the single writer connection does both.
// On PostgreSQL the worker client uses pgx (LISTEN/NOTIFY wake-ups), while
// inserts made in a database/sql transaction go through an insert-only
// client on the same pool, so a job commits or rolls back with its write.
type Queue struct {
	run      runner
	inserter *river.Client[*sql.Tx]
	log      *slog.Logger
}

// New builds a Queue; it does not start working until Start.
func New(d *db.DB, cfg Config) (*Queue, error) {
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = 10
	}
	rc := &river.Config{
		Logger:                      quietLogger(cfg.Logger),
		Workers:                     cfg.Workers,
		PeriodicJobs:                cfg.Periodic,
		Middleware:                  cfg.Middleware,
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		FetchPollInterval:           cfg.PollEvery,
		FetchCooldown:               min(cfg.PollEvery, 100*time.Millisecond),
		MaxAttempts:                 cfg.MaxAttempts,
		JobTimeout:                  cmp.Or(cfg.JobTimeout, 5*time.Minute),
		RescueStuckJobsAfter:        cmp.Or(cfg.RescueAfter, 10*time.Minute),
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
	}
	if cfg.PollEvery == 0 {
		rc.FetchPollInterval, rc.FetchCooldown = 0, 0
	}
	q := &Queue{log: cfg.Logger}
	switch d.Dialect {
	case db.SQLite:
		c, err := river.NewClient(riversqlite.New(d.W), rc)
		if err != nil {
			return nil, fmt.Errorf("river client: %w", err)
		}
		q.run, q.inserter = c, c
	case db.Postgres:
		c, err := river.NewClient[pgx.Tx](riverpgxv5.New(d.Pool), rc)
		if err != nil {
			return nil, fmt.Errorf("river client: %w", err)
		}
		ins, err := river.NewClient(riverdatabasesql.New(d.W), &river.Config{Logger: rc.Logger, Workers: cfg.Workers, MaxAttempts: cfg.MaxAttempts})
		if err != nil {
			return nil, fmt.Errorf("river insert client: %w", err)
		}
		q.run, q.inserter = c, ins
	default:
		return nil, fmt.Errorf("unknown dialect %q", d.Dialect)
	}
	return q, nil
}

// InsertTx enqueues a job inside tx: it exists exactly when tx commits.
func (q *Queue) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return q.inserter.InsertTx(ctx, tx, args, opts)
}

// InsertManyTx enqueues several jobs inside tx in one round trip.
func (q *Queue) InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return q.inserter.InsertManyTx(ctx, tx, params)
}

// Start begins working jobs and scheduling periodic ones.
func (q *Queue) Start(ctx context.Context) error { return q.run.Start(ctx) }

// Stop lets running jobs finish for up to soft, then cancels them and waits
// up to hard more. Cancelled jobs are retried by River later.
func (q *Queue) Stop(soft, hard time.Duration) error {
	sctx, cancel := context.WithTimeout(context.Background(), soft)
	defer cancel()
	err := q.run.Stop(sctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	q.log.Warn("jobs did not finish in time; cancelling them", "soft_timeout", soft.String())
	hctx, cancel2 := context.WithTimeout(context.Background(), hard)
	defer cancel2()
	return q.run.StopAndCancel(hctx)
}

// quietLogger keeps River's own chatter at warn and above.
func quietLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(levelFilter{l.Handler(), slog.LevelWarn}).With("component", "river")
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}
func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(a), f.min}
}
func (f levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(n), f.min}
}
