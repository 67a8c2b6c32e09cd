package iam

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/privacy"
)

// PrivacySections are the account's people and keys in its export: no
// password or key hash, TOTP secret or recovery code is selected.
func PrivacySections() []privacy.Section {
	return []privacy.Section{
		{Name: "users", Query: `SELECT u.id, u.email, u.name, u.locale, m.role, m.status, m.invited_name, m.created_at, m.updated_at
			FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = $1 ORDER BY m.created_at, u.id`},
		{Name: "api_keys", Query: `SELECT id, name, prefix, scopes, created_by, created_at, last_used_at, expires_at, revoked_at
			FROM api_keys WHERE account_id = $1 ORDER BY created_at, id`, JSON: []string{"scopes"}},
	}
}

// EraseUser turns the user into a tombstone: no e-mail, name, password,
// second factor or session remains, and the row can never sign in again
// (its id stays, so the audit entries and messages it wrote still name
// someone, now anonymous).
func EraseUser(ctx context.Context, tx *sql.Tx, userID string, now time.Time) (int, error) {
	n := 0
	var email sql.NullString // a user who came through Chatwoot sign-in may have none
	if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, userID).Scan(&email); err != nil {
		return 0, err
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE users SET email = $2, name = '', password_hash = NULL, totp_secret = NULL, totp_enabled = false, recovery_codes = NULL,
			active = false, super_admin = false, email_verified_at = NULL, updated_at = $3 WHERE id = $1`,
			[]any{userID, "erased+" + userID + "@erased.invalid", now}},
		{`UPDATE sessions SET revoked_at = $2, revoked_reason = 'erased' WHERE user_id = $1 AND revoked_at IS NULL`, []any{userID, now}},
		{`UPDATE sessions SET ip = '', user_agent = '' WHERE user_id = $1`, []any{userID}},
		{`DELETE FROM user_tokens WHERE user_id = $1`, []any{userID}},
		{`UPDATE memberships SET invited_name = '', status = 'removed', updated_at = $2 WHERE user_id = $1`, []any{userID, now}},
		{`DELETE FROM login_attempts WHERE email = $1`, []any{email.String}},
		{`DELETE FROM login_known_addresses WHERE email = $1`, []any{email.String}},
	} {
		res, err := tx.ExecContext(ctx, q.sql, q.args...)
		if err != nil {
			return n, err
		}
		c, _ := res.RowsAffected()
		n += int(c)
	}
	return n, nil
}

// PurgeAccount forgets the account as users' home before it goes.
func PurgeAccount(ctx context.Context, tx *sql.Tx, accountID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET home_account_id = NULL WHERE home_account_id = $1`, accountID)
	return err
}
