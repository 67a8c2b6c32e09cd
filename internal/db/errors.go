package db

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinels returned by store code; handlers never see driver errors.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrInvalidInput means the database cannot store a value as given
	// (PostgreSQL refuses NUL bytes and invalid UTF-8 in text).
	ErrInvalidInput = errors.New("invalid input")
)

// Translate maps driver errors to sentinels: no rows → ErrNotFound, unique
// or foreign-key violation → ErrConflict. Other errors pass through.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505", "23503", "23P01":
			return errors.Join(ErrConflict, err)
		case "22021", "22P05", "22P02", "22001":
			return errors.Join(ErrInvalidInput, err)
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errors.Join(ErrConflict, err)
		}
	}
	return err
}

func replaceAll(s, old, new string) string { return strings.ReplaceAll(s, old, new) }
