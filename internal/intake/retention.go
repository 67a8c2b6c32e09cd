package intake

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
)

// PurgeArgs is the periodic purge of old payloads.
type PurgeArgs struct{}

// Kind names the job in River.
func (PurgeArgs) Kind() string { return "intake.purge_payloads" }

// PurgeWorker empties the payload of executions received more than
// RetentionDays ago that reached a final state. Rows stay: the history
// of what arrived and how it ended outlives the data.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	DB            *db.DB
	RetentionDays int              // default DefaultRetentionDays
	Now           func() time.Time // default time.Now
	Log           *slog.Logger
}

// Work purges old payloads.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	days := w.RetentionDays
	if days <= 0 {
		days = DefaultRetentionDays
	}
	now := nowOf(w.Now)
	n, err := PurgePayloads(ctx, w.DB, now.AddDate(0, 0, -days), now)
	if n > 0 && w.Log != nil {
		w.Log.Info("purged old webhook payloads", "count", n, "retention_days", days)
	}
	return err
}

const purgeBatch = 500

// PurgePayloads sets payload = NULL on final executions received before
// cutoff, in batches so the SQLite writer is never held for long, and
// returns how many it emptied.
func PurgePayloads(ctx context.Context, d *db.DB, cutoff, now time.Time) (int64, error) {
	var total int64
	for {
		res, err := d.W.ExecContext(ctx, `UPDATE event_executions SET payload = NULL, job_payload = NULL, updated_at = $2
			WHERE id IN (SELECT id FROM event_executions
				WHERE received_at < $1 AND payload IS NOT NULL AND status IN ('done', 'ignored', 'dead')
				LIMIT $3)`, cutoff.UTC(), now, purgeBatch)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

// PurgePeriodic schedules the purge every interval (hourly when every is
// not positive) and once at start.
func PurgePeriodic(every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = time.Hour
	}
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "intake.purge_payloads"})
}
