package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openGroupDB(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), "", filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.W.ExecContext(context.Background(), `CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	return d
}

// holdLeader starts a transaction that waits, holding the writer, until
// n others have queued behind it, then inserts its own row.
func holdLeader(t *testing.T, d *DB, n int) <-chan error {
	t.Helper()
	started := make(chan struct{})
	out := make(chan error, 1)
	go func() {
		out <- d.Tx(context.Background(), func(tx *sql.Tx) error {
			close(started)
			if err := queuedWithin(d, n, 30*time.Second); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO t VALUES ('leader', 0)`)
			return err
		})
	}()
	<-started
	return out
}

// queuedWithin polls until n callers wait for the writer.
func queuedWithin(d *DB, n int, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		d.group.mu.Lock()
		queued := len(d.group.waiting)
		d.group.mu.Unlock()
		if queued >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d queued", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitQueued(t *testing.T, d *DB, n int) {
	t.Helper()
	if err := queuedWithin(d, n, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

func keys(t *testing.T, d *DB) map[string]int {
	t.Helper()
	rows, err := d.R.Query(`SELECT k, n FROM t`)
	got, err := Counts(rows, err)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

var errRefused = errors.New("refused")

// Transactions that queue while one holds the writer share its commit;
// one that fails or panics loses only its own writes, and each sees the
// writes of those before it.
func TestGroupCommitKeepsEachOutcome(t *testing.T) {
	d := openGroupDB(t)
	const n = 12
	leader := holdLeader(t, d, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	panicked := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panicked[i] = recover() }()
			errs[i] = d.Tx(context.Background(), func(tx *sql.Tx) error {
				// Serial order: the count includes every earlier member's row.
				var before int
				if err := tx.QueryRow(`SELECT count(*) FROM t`).Scan(&before); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO t VALUES ($1, $2)`, fmt.Sprint("k", i), before); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errRefused
				case 2:
					if i == 2 {
						panic("boom")
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	if err := <-leader; err != nil {
		t.Fatal(err)
	}
	got := keys(t, d)
	for i := range n {
		k := fmt.Sprint("k", i)
		_, kept := got[k]
		switch {
		case i == 2:
			if panicked[i] != "boom" || kept {
				t.Errorf("%s: panic %v, row kept %v; want the panic in its own goroutine and no row", k, panicked[i], kept)
			}
		case i%4 == 1:
			if !errors.Is(errs[i], errRefused) || kept {
				t.Errorf("%s: %v, row kept %v; want its own error and no row", k, errs[i], kept)
			}
		default:
			if errs[i] != nil || !kept {
				t.Errorf("%s: %v, row kept %v; want committed", k, errs[i], kept)
			}
		}
	}
	if _, ok := got["leader"]; !ok {
		t.Error("the leader's row is missing")
	}
	// Each member counted the rows kept before it: no two saw the same.
	seen := map[int]string{}
	for k, before := range got {
		if other, dup := seen[before]; dup {
			t.Errorf("%s and %s both saw %d rows before them", k, other, before)
		}
		seen[before] = k
	}
	// The writer is free again.
	if err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t VALUES ('after', 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// A caller whose context ends while it waits for the writer gets the
// context's error and its fn never runs.
func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	d := openGroupDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	queued := make(chan error, 1)
	leaderDone := make(chan error, 1)
	release := make(chan struct{})
	go func() {
		leaderDone <- d.Tx(context.Background(), func(tx *sql.Tx) error {
			go func() {
				queued <- d.Tx(ctx, func(tx *sql.Tx) error { ran <- struct{}{}; return nil })
			}()
			if err := queuedWithin(d, 1, 30*time.Second); err != nil {
				return err
			}
			cancel()
			<-release
			return nil
		})
	}()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Fatalf("queued caller: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
		t.Fatal("the cancelled caller's fn ran")
	default:
	}
}

// When the group's transaction itself ends under it (here a member rolls
// it back by hand), nobody's writes are kept and everyone hears why; the
// writer serves the next caller.
func TestGroupCommitLostTransactionFailsTheGroup(t *testing.T) {
	d := openGroupDB(t)
	const n = 4
	leader := holdLeader(t, d, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		if i == n-1 {
			// The one that rolls back queues last, so nobody's turn follows
			// it in this group.
			waitQueued(t, d, n-1)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.Tx(context.Background(), func(tx *sql.Tx) error {
				if _, err := tx.Exec(`INSERT INTO t VALUES ($1, 1)`, fmt.Sprint("k", i)); err != nil {
					return err
				}
				if i == n-1 {
					_, err := tx.Exec(`ROLLBACK`)
					return err
				}
				return nil
			})
		}()
	}
	wg.Wait()
	lerr := <-leader
	for i, err := range append(errs, lerr) {
		if err == nil {
			t.Errorf("member %d: committed, want the group's failure", i)
		}
	}
	if got := keys(t, d); len(got) != 0 {
		t.Errorf("rows kept: %v, want none", got)
	}
	if err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t VALUES ('after', 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
