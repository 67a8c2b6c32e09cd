package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// The SQLite files (database, WAL, shared memory) are the owner's alone, even under a permissive
// umask, and an older file left readable is tightened on open.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "whatpro.db")
	for _, existing := range []bool{false, true} {
		if existing {
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		d, err := Open(context.Background(), "", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(context.Background(), `CREATE TABLE IF NOT EXISTS t (x INTEGER); INSERT INTO t VALUES (1)`); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.R.QueryRowContext(context.Background(), `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if mode := st.Mode().Perm(); mode != 0o600 {
				t.Errorf("existing=%v: %s has mode %o, want 600", existing, filepath.Base(p), mode)
			}
		}
		d.Close()
	}
}
