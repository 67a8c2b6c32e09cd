package iam

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// User is a hub user. Email is empty for users created from a Chatwoot
// identity, who never log in with a password.
type User struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Locale      string    `json:"locale"`
	Active      bool      `json:"active"`
	SuperAdmin  bool      `json:"super_admin"`
	TOTPEnabled bool      `json:"totp_enabled"`
	CreatedAt   time.Time `json:"created_at"`

	passwordHash string
	totpSecret   string
	recovery     string
	// emailVerified: someone proved they read the address (a mailed link,
	// the operator, a super admin). homeAccount: the account whose admin
	// created the user; a user nobody proved stays confined to it.
	emailVerified bool
	homeAccount   string
}

const userCols = `id, COALESCE(email, ''), name, COALESCE(password_hash, ''), locale, active, super_admin,
	totp_enabled, COALESCE(totp_secret, ''), COALESCE(recovery_codes, ''), created_at, email_verified_at IS NOT NULL,
	COALESCE(home_account_id, '')`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	u := &User{}
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.passwordHash, &u.Locale, &u.Active, &u.SuperAdmin,
		&u.TOTPEnabled, &u.totpSecret, &u.recovery, &u.CreatedAt, &u.emailVerified, &u.homeAccount)
	if err != nil {
		return nil, db.Translate(err)
	}
	return u, nil
}

// NormalizeEmail is how emails are compared and stored.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func userByEmail(ctx context.Context, q db.Querier, email string) (*User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, NormalizeEmail(email)))
}

func userByID(ctx context.Context, q db.Querier, id string) (*User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
}

// newUser inserts a user; hash may be empty (no password login). With a
// home account the email is unproven and the user confined to it; without
// one (the operator, the CLI) the email counts as proven.
func newUser(ctx context.Context, tx *sql.Tx, email, name, hash, homeAccount string, superAdmin bool, now time.Time) (*User, error) {
	u := &User{ID: db.NewID(), Email: NormalizeEmail(email), Name: name, Locale: "pt-BR", Active: true, SuperAdmin: superAdmin, CreatedAt: now,
		homeAccount: homeAccount, emailVerified: homeAccount == "" && email != ""}
	var verified any
	if u.emailVerified {
		verified = now
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, locale, active, super_admin, created_at, updated_at,
			password_changed_at, email_verified_at, home_account_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $9, $10)`, u.ID, nullIfEmpty(u.Email), name, nullIfEmpty(hash), u.Locale, true, superAdmin, now,
		verified, nullIfEmpty(homeAccount))
	return u, db.Translate(err)
}

// markVerified records that the user's email was proven.
func markVerified(ctx context.Context, tx *sql.Tx, userID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET email_verified_at = $1, updated_at = $1 WHERE id = $2 AND email_verified_at IS NULL`, now, userID)
	return err
}

// confinedElsewhere reports whether u may not join accountID: nobody
// proved its email and another account's admin created it.
func (u *User) confinedElsewhere(accountID string) bool {
	return !u.emailVerified && u.homeAccount != "" && u.homeAccount != accountID
}

func setPassword(ctx context.Context, tx *sql.Tx, userID, hash string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3`, hash, now, userID)
	return affected(res, err)
}

func countUsers(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// affected turns "no row changed" into ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return db.Translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return db.ErrNotFound
	}
	return nil
}
