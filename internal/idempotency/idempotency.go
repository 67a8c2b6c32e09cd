// Package idempotency owns the idempotency_keys table: claims that make a
// delivery (a webhook, a platform event) take effect once, and the periodic
// job that purges expired claims.
package idempotency

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
)

// Claim records (scope, key) for ttl and reports whether it was fresh. Run
// it in the transaction of the write it guards: a rollback frees the key.
func Claim(ctx context.Context, q db.Querier, scope, key string, ttl time.Duration) (bool, error) {
	now := db.Now()
	res, err := q.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, created_at, expires_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (scope, key) DO UPDATE SET created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at < excluded.created_at`, scope, key, now, now.Add(ttl))
	if err != nil {
		return false, db.Translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PurgeArgs is the periodic purge of expired keys.
type PurgeArgs struct{}

// Kind names the job in River.
func (PurgeArgs) Kind() string { return "idempotency.purge" }

// PurgeWorker deletes expired keys.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	DB  *db.DB
	Log *slog.Logger
}

// Work deletes every key whose expiry has passed.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	n, err := Purge(ctx, w.DB, db.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		w.Log.Info("purged expired idempotency keys", "count", n)
	}
	return nil
}

// Purge deletes keys expired at now and returns how many went.
func Purge(ctx context.Context, d *db.DB, now time.Time) (int64, error) {
	res, err := d.W.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at < $1`, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Periodic schedules the purge hourly and once at start.
func Periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "idempotency.purge"})
}
