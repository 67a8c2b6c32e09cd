package realtime

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
)

// PurgeArgs is the periodic trim of the events table to the window.
type PurgeArgs struct{}

// Kind names the job in River.
func (PurgeArgs) Kind() string { return "realtime.purge" }

// PurgeWorker drops events older than the window (by age or by count per
// account) and records each account's floor, below which a resuming
// client is told to resync.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Hub *Hub
}

// Periodic runs the purge every interval.
func Periodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return PurgeArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true, ID: "realtime.purge"})
}

// Work trims every account.
func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	return w.Hub.Purge(ctx, db.Now())
}

const purgeBatch = 5000

// Purge trims the events table as of now.
func (h *Hub) Purge(ctx context.Context, now time.Time) error {
	if err := purgeTickets(ctx, h.DB, now); err != nil {
		return err
	}
	rows, err := h.DB.R.QueryContext(ctx, `SELECT account_id, seq FROM event_heads`)
	type head struct {
		id  string
		seq int64
	}
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (head, error) {
		var hd head
		return hd, r.Scan(&hd.id, &hd.seq)
	})
	if err != nil {
		return err
	}
	cutoff := now.Add(-h.Cfg.Window)
	for _, hd := range list {
		for {
			// Batches keep the SQLite writer free for requests.
			res, err := h.DB.W.ExecContext(ctx, `DELETE FROM events WHERE account_id = $1 AND seq IN (
				SELECT seq FROM events WHERE account_id = $1 AND (seq <= $2 OR created_at < $3) ORDER BY seq LIMIT $4)`,
				hd.id, hd.seq-h.Cfg.WindowEvents, cutoff, purgeBatch)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n < purgeBatch {
				break
			}
		}
		if _, err := h.DB.W.ExecContext(ctx, `UPDATE event_heads SET floor = COALESCE(
				(SELECT MIN(seq) - 1 FROM events WHERE account_id = $1), seq)
			WHERE account_id = $1`, hd.id); err != nil {
			return err
		}
	}
	return nil
}
