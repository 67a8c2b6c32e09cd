// Package apptest runs the real hub for tests: on SQLite in a temp dir and,
// when WHATPRO_TEST_POSTGRES_URL is set, on a throwaway PostgreSQL database,
// behind an httptest server, with helpers to call it.
package apptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Dialects lists the databases the suites run on. Under CI=true a missing
// PostgreSQL is a failure, not a skip.
func Dialects(t testing.TB) []string {
	if os.Getenv("WHATPRO_TEST_POSTGRES_URL") != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but WHATPRO_TEST_POSTGRES_URL is not set: the PostgreSQL suite cannot be skipped in CI")
	}
	return []string{"sqlite"}
}

// Each runs fn as a subtest once per database.
func Each(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// PostgresURL creates a throwaway database for t and returns its URL; it
// is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("WHATPRO_TEST_POSTGRES_URL")
	if base == "" {
		t.Fatal("WHATPRO_TEST_POSTGRES_URL is not set")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", redact(base), err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "whatpro_t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable url)"
	}
	return u.Redacted()
}
