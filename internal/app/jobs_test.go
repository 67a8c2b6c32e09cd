package app_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/idempotency"
)

type probeArgs struct{ Key string }

func (probeArgs) Kind() string { return "test.probe" }

type probeWorker struct {
	river.WorkerDefaults[probeArgs]
	done chan string
}

func (w *probeWorker) Work(_ context.Context, j *river.Job[probeArgs]) error {
	w.done <- j.Args.Key
	return nil
}

// A job inserted with a business write exists exactly when that write
// commits: never lost, never run after a rollback.
func TestTransactionalJobInsert(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		w := &probeWorker{done: make(chan string, 4)}
		h := apptest.New(t, dialect, apptest.Options{AppOpts: app.Options{Workers: func(ws *river.Workers) { river.AddWorker(ws, w) }}})
		ctx := context.Background()
		d := h.App.DB
		boom := errors.New("roll back")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := idempotency.Claim(ctx, tx, "test", "rolled-back", time.Hour); err != nil {
				return err
			}
			if _, err := h.App.Jobs.InsertTx(ctx, tx, probeArgs{Key: "rolled-back"}, nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("tx error = %v", err)
		}
		err = d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := idempotency.Claim(ctx, tx, "test", "committed", time.Hour); err != nil {
				return err
			}
			_, err := h.App.Jobs.InsertTx(ctx, tx, probeArgs{Key: "committed"}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-w.done:
			if got != "committed" {
				t.Fatalf("worked %q, want committed", got)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the committed job never ran")
		}
		var jobs, keys int
		must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'test.probe'`).Scan(&jobs))
		must(t, d.R.QueryRowContext(ctx, `SELECT count(*) FROM idempotency_keys WHERE scope = 'test'`).Scan(&keys))
		if jobs != 1 || keys != 1 {
			t.Fatalf("jobs=%d keys=%d, want 1 and 1 (the rolled-back pair must leave nothing)", jobs, keys)
		}
		select {
		case got := <-w.done:
			t.Fatalf("a second job ran: %q", got)
		default:
		}
	})
}

func TestIdempotencyClaimAndPurge(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{NoServer: true})
		ctx := context.Background()
		d := h.App.DB
		claim := func(key string, ttl time.Duration) bool {
			t.Helper()
			var fresh bool
			must(t, d.Tx(ctx, func(tx *sql.Tx) error {
				var err error
				fresh, err = idempotency.Claim(ctx, tx, "s", key, ttl)
				return err
			}))
			return fresh
		}
		if !claim("a", time.Hour) || claim("a", time.Hour) {
			t.Fatal("first claim must be fresh, the second a duplicate")
		}
		if !claim("b", -time.Minute) {
			t.Fatal("claim b")
		}
		if !claim("b", time.Hour) {
			t.Fatal("an expired claim may be taken again")
		}
		if !claim("c", -time.Minute) {
			t.Fatal("claim c")
		}
		n, err := idempotency.Purge(ctx, d, db.Now())
		must(t, err)
		if n != 1 {
			t.Fatalf("purged %d, want 1 (only c is expired)", n)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
