package intake_test

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/intake"
)

func TestRetentionPurgesOldFinalPayloads(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		now := e.clock.Now()
		type ev struct {
			age    time.Duration
			status string
			purged bool
		}
		day := 24 * time.Hour
		cases := map[string]ev{
			"old-done":       {40 * day, intake.StatusDone, true},
			"old-ignored":    {31 * day, intake.StatusIgnored, true},
			"old-dead":       {90 * day, intake.StatusDead, true},
			"old-failed":     {40 * day, intake.StatusFailed, false},     // River still retries it
			"old-received":   {40 * day, intake.StatusReceived, false},   // still queued
			"old-processing": {40 * day, intake.StatusProcessing, false}, // running
			"recent-done":    {29 * day, intake.StatusDone, false},
		}
		idOf := map[string]string{}
		for name, c := range cases {
			e.clock.Set(now.Add(-c.age))
			id := e.accept(delivery{body: msg("message_created", len(idOf)+1), id: name})
			e.exec(`UPDATE event_executions SET status = $2 WHERE id = $1`, id, c.status)
			idOf[name] = id
		}
		e.clock.Set(now)
		purge := func(days int) {
			w := &intake.PurgeWorker{DB: e.d, RetentionDays: days, Now: e.clock.Now}
			must(t, w.Work(context.Background(), &river.Job[intake.PurgeArgs]{}))
		}
		purge(100) // nothing is that old
		for name, id := range idOf {
			if !e.row(id).Payload.Valid {
				t.Fatalf("%s purged with a 100-day retention", name)
			}
		}
		purge(30)
		for name, c := range cases {
			r := e.row(idOf[name]) // the row itself always stays
			if r.Payload.Valid == c.purged || r.Status != c.status {
				t.Errorf("%s: payload kept=%v status=%s, want purged=%v", name, r.Payload.Valid, r.Status, c.purged)
			}
		}
		if n := e.executions(); n != len(cases) {
			t.Fatalf("%d rows after the purge, want %d: rows are never deleted", n, len(cases))
		}
		// Running again purges nothing more.
		n, err := intake.PurgePayloads(context.Background(), e.d, now.AddDate(0, 0, -30), now)
		must(t, err)
		if n != 0 {
			t.Fatalf("second purge emptied %d payloads", n)
		}
		if intake.PurgePeriodic(time.Hour) == nil || intake.PurgePeriodic(0) == nil {
			t.Fatal("no periodic job")
		}
	})
}

// More than one batch: the purge loops until every old payload is gone.
func TestPurgeInBatches(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		old := e.clock.Now().AddDate(0, 0, -60)
		const n = 1203
		must(t, e.d.Tx(context.Background(), func(tx *sql.Tx) error {
			for i := range n {
				if _, err := tx.Exec(`INSERT INTO event_executions (id, account_id, source, source_id, event, delivery_id, payload,
					status, received_at, updated_at) VALUES ($1, $2, 'chatwoot', $3, 'message_created', $4, '{}', 'done', $5, $5)`,
					db.NewID(), e.accA, linkA, "bulk-"+strconv.Itoa(i), old); err != nil {
					return err
				}
			}
			return nil
		}))
		got, err := intake.PurgePayloads(context.Background(), e.d, e.clock.Now().AddDate(0, 0, -30), e.clock.Now())
		must(t, err)
		if got != n || e.count(`SELECT count(*) FROM event_executions WHERE payload IS NOT NULL`) != 0 || e.executions() != n {
			t.Fatalf("purged %d of %d; %d rows left", got, n, e.executions())
		}
	})
}
