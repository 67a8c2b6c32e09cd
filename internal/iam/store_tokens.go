package iam

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// One-time links: invitations (activation for a person without a login)
// and password resets. The token travels in the link's fragment; only its
// hash is stored. Mailed says it went to the user's address, so using it
// proves the address.
const (
	purposeInvitation = "invitation"
	purposeReset      = "reset"
	invitationTTL     = 72 * time.Hour
	resetTTL          = time.Hour
)

type userToken struct {
	Purpose   string
	UserID    string
	AccountID string
	Mailed    bool
	ExpiresAt time.Time
}

// issueToken stores a new token for the user (and account), voiding the
// unused ones of the same purpose and account: only the latest link works.
func issueToken(ctx context.Context, tx *sql.Tx, purpose, userID, accountID string, mailed bool, now time.Time) (string, time.Time, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3
		AND COALESCE(account_id, '') = $4 AND used_at IS NULL`, now, userID, purpose, accountID); err != nil {
		return "", time.Time{}, err
	}
	ttl := invitationTTL
	if purpose == purposeReset {
		ttl = resetTTL
	}
	tok := RandomToken(map[string]string{purposeInvitation: "wpa_", purposeReset: "wpp_"}[purpose])
	_, err := tx.ExecContext(ctx, `INSERT INTO user_tokens (hash, purpose, user_id, account_id, mailed, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, HashToken(tok), purpose, userID, nullIfEmpty(accountID), mailed, now, now.Add(ttl))
	return tok, now.Add(ttl), db.Translate(err)
}

// findToken returns an unused, unexpired token of purpose, or ErrNotFound.
func findToken(ctx context.Context, q db.Querier, purpose, tok string, now time.Time) (*userToken, error) {
	t := &userToken{Purpose: purpose}
	if len(tok) > 100 || !cleanText(tok) {
		return nil, db.ErrNotFound
	}
	err := q.QueryRowContext(ctx, `SELECT user_id, COALESCE(account_id, ''), mailed, expires_at FROM user_tokens
		WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`, HashToken(tok), purpose, now).
		Scan(&t.UserID, &t.AccountID, &t.Mailed, &t.ExpiresAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	return t, nil
}

// spendToken marks the token used; false when another request spent it
// first (it is single use).
func spendToken(ctx context.Context, tx *sql.Tx, tok string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE user_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`, now, HashToken(tok))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// lastTokenAt is when the user was last sent a token of purpose.
func lastTokenAt(ctx context.Context, q db.Querier, userID, purpose string) (*time.Time, error) {
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT created_at FROM user_tokens WHERE user_id = $1 AND purpose = $2
		ORDER BY created_at DESC LIMIT 1`, userID, purpose).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &at, err
}
