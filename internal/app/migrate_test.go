package app_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
)

// Migrations only ever add: no drops, truncates or deletes.
func TestMigrationsAreNotDestructive(t *testing.T) {
	t.Parallel()
	bad := regexp.MustCompile(`(?i)\b(DROP\s+(TABLE|COLUMN|INDEX|SCHEMA)|TRUNCATE|DELETE\s+FROM|RENAME\s+COLUMN)\b`)
	root := "../db/migrations"
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if m := bad.FindString(rebuilt(string(b))); m != "" {
			t.Errorf("%s contains %q", p, m)
		}
		return nil
	})
	must(t, err)
	for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
		ms, err := d.Migrations()
		must(t, err)
		other, _ := map[db.Dialect]db.Dialect{db.SQLite: db.Postgres, db.Postgres: db.SQLite}[d].Migrations()
		if len(ms) != len(other) {
			t.Errorf("%s has %d migrations, the other dialect %d", d, len(ms), len(other))
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{})
		ctx := context.Background()
		_, err := h.App.DB.W.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', $1)`, db.Now())
		must(t, err)
		r := h.Do(apptest.Req{Method: "GET", Path: "/readyz"}).Expect(t, 503)
		if !strings.Contains(string(r.Body), "newer than this binary") {
			t.Fatalf("readyz does not say why: %s", r.Body)
		}
		if _, err := h.App.DB.Migrate(ctx); !errors.Is(err, db.ErrSchemaNewer) {
			t.Fatalf("migrate on a newer schema: %v", err)
		}
		if err := h.App.DB.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaNewer) {
			t.Fatalf("CheckSchema: %v", err)
		}
	})
}

func TestReadyzReportsLostDatabase(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{})
		h.Do(apptest.Req{Method: "GET", Path: "/readyz"}).Expect(t, 200)
		must(t, h.App.DB.Close())
		r := h.Do(apptest.Req{Method: "GET", Path: "/readyz"}).Expect(t, 503)
		if !strings.Contains(string(r.Body), `"database":"error`) {
			t.Fatalf("readyz body: %s", r.Body)
		}
		h.Do(apptest.Req{Method: "GET", Path: "/healthz"}).Expect(t, 200)
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		h := apptest.New(t, dialect, apptest.Options{NoServer: true})
		applied, err := h.App.DB.Migrate(context.Background())
		must(t, err)
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

// rebuilt removes from a migration the SQLite table rebuilds that keep
// every row (SQLite cannot change a CHECK constraint): a DROP TABLE t is
// allowed only beside INSERT INTO t_new … SELECT … FROM t and
// ALTER TABLE t_new RENAME TO t.
func rebuilt(sqlText string) string {
	drop := regexp.MustCompile(`(?i)\bDROP\s+TABLE\s+(\w+)\s*;`)
	return drop.ReplaceAllStringFunc(sqlText, func(m string) string {
		t := drop.FindStringSubmatch(m)[1]
		copied := regexp.MustCompile(`(?is)\bINSERT\s+INTO\s+` + t + `_new\s*\([^)]*\)\s*SELECT\b[^;]*\bFROM\s+` + t + `\s*;`)
		renamed := regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+` + t + `_new\s+RENAME\s+TO\s+` + t + `\s*;`)
		if copied.MatchString(sqlText) && renamed.MatchString(sqlText) {
			return ""
		}
		return m
	})
}
