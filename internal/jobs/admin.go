package jobs

import (
	"context"
	"database/sql"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// The operators' view of the queue goes through the insert client, whose
// transactions are the hub's own: an admin's retry or discard commits
// with its audit entry.

// List lists jobs (River's filters and cursor).
func (q *Queue) List(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error) {
	return q.inserter.JobList(ctx, params)
}

// GetTx reads one job.
func (q *Queue) GetTx(ctx context.Context, tx *sql.Tx, id int64) (*rivertype.JobRow, error) {
	return q.inserter.JobGetTx(ctx, tx, id)
}

// RetryTx makes a job available to run now.
func (q *Queue) RetryTx(ctx context.Context, tx *sql.Tx, id int64) (*rivertype.JobRow, error) {
	return q.inserter.JobRetryTx(ctx, tx, id)
}

// CancelTx stops a job from running again.
func (q *Queue) CancelTx(ctx context.Context, tx *sql.Tx, id int64) (*rivertype.JobRow, error) {
	return q.inserter.JobCancelTx(ctx, tx, id)
}

// DeleteTx removes a finished job.
func (q *Queue) DeleteTx(ctx context.Context, tx *sql.Tx, id int64) (*rivertype.JobRow, error) {
	return q.inserter.JobDeleteTx(ctx, tx, id)
}
