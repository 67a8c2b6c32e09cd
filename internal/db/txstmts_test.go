package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// InTx on SQLite: a text seen in one transaction is prepared after it and
// reused by the next ones, with the same results as unprepared; a rolled
// back transaction leaves nothing; concurrent writers stay correct; rows
// read inside a transaction see its own writes.
func TestInTxPreparesOnceAndStaysCorrect(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "", filepath.Join(t.TempDir(), "whatpro.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO c (id, n) VALUES ($1, $2)`
	const bump = `UPDATE c SET n = n + 1 WHERE id = $1`
	const read = `SELECT n FROM c WHERE id = $1`
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := d.InTx(tx).ExecContext(ctx, ins, 1, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d.txStmts.mu.Lock()
	_, prepared := d.txStmts.m[ins]
	d.txStmts.mu.Unlock()
	if !prepared {
		t.Fatal("the insert was not prepared after its first transaction")
	}
	// A rollback of a prepared statement's work leaves nothing.
	boom := errors.New("boom")
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := d.InTx(tx).ExecContext(ctx, ins, 2, 0); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM c`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows after the rollback: %d, %v", n, err)
	}
	// Concurrent writers, each reading its own write inside its transaction.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- d.Tx(ctx, func(tx *sql.Tx) error {
				q := d.InTx(tx)
				var before, after int
				if err := q.QueryRowContext(ctx, read, 1).Scan(&before); err != nil {
					return err
				}
				if _, err := q.ExecContext(ctx, bump, 1); err != nil {
					return err
				}
				if err := q.QueryRowContext(ctx, read, 1).Scan(&after); err != nil {
					return err
				}
				if after != before+1 {
					return fmt.Errorf("read %d after %d inside one transaction", after, before)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := d.R.QueryRowContext(ctx, read, 1).Scan(&n); err != nil || n != 40 {
		t.Fatalf("n = %d, %v; want 40", n, err)
	}
}
