package iam

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
)

// PurgeAttemptsArgs is the periodic purge of old login attempt counters.
type PurgeAttemptsArgs struct{}

// Kind names the job in River.
func (PurgeAttemptsArgs) Kind() string { return "iam.purge_login_attempts" }

// PurgeAttemptsWorker deletes counters that left the throttling window.
type PurgeAttemptsWorker struct {
	river.WorkerDefaults[PurgeAttemptsArgs]
	DB *db.DB
}

// Work deletes old attempts.
func (w *PurgeAttemptsWorker) Work(ctx context.Context, _ *river.Job[PurgeAttemptsArgs]) error {
	_, err := purgeAttempts(ctx, w.DB.W, db.Now())
	return err
}

// PurgeAttemptsPeriodic runs the purge every 15 minutes.
func PurgeAttemptsPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(attemptWindow),
		func() (river.JobArgs, *river.InsertOpts) { return PurgeAttemptsArgs{}, nil },
		&river.PeriodicJobOpts{ID: "iam.purge_login_attempts"})
}
