package iam

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// APIKey is a server-to-server credential of one account; only its hash is
// stored.
type APIKey struct {
	ID         string     `json:"id"`
	AccountID  string     `json:"account_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	secretHash string
	touched    atomic.Int64 // unix seconds of the last write-behind touch
}

const keyCols = `id, account_id, name, prefix, secret_hash, scopes, created_by, created_at, last_used_at, expires_at, revoked_at`

func scanKey(row interface{ Scan(...any) error }) (*APIKey, error) {
	k := &APIKey{}
	var scopes string
	err := row.Scan(&k.ID, &k.AccountID, &k.Name, &k.Prefix, &k.secretHash, &scopes, &k.CreatedBy, &k.CreatedAt,
		&k.LastUsedAt, &k.ExpiresAt, &k.RevokedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	if err := json.Unmarshal([]byte(scopes), &k.Scopes); err != nil {
		return nil, err
	}
	return k, nil
}

func insertKey(ctx context.Context, tx *sql.Tx, k *APIKey) error {
	scopes, _ := json.Marshal(k.Scopes)
	_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, account_id, name, prefix, secret_hash, scopes, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, k.ID, k.AccountID, k.Name, k.Prefix, k.secretHash, string(scopes),
		k.CreatedBy, k.CreatedAt, k.ExpiresAt)
	return db.Translate(err)
}

func keyByPrefix(ctx context.Context, q db.Querier, prefix string) (*APIKey, error) {
	return scanKey(q.QueryRowContext(ctx, `SELECT `+keyCols+` FROM api_keys WHERE prefix = $1`, prefix))
}

func listKeys(ctx context.Context, q db.Querier, accountID string, p httpx.PageParams) ([]*APIKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+keyCols+` FROM api_keys WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		accountID, p.After, p.Limit+1)
	return db.Collect(rows, err, scanKey)
}

func revokeKey(ctx context.Context, tx *sql.Tx, accountID, keyID string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE account_id = $2 AND id = $3 AND revoked_at IS NULL`,
		now, accountID, keyID)
	return affected(res, err)
}

// revokeUserKeys revokes the keys a user created in an account (their
// membership ended).
func revokeUserKeys(ctx context.Context, tx *sql.Tx, accountID, userID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE account_id = $2 AND created_by = $3 AND revoked_at IS NULL`,
		now, accountID, userID)
	return err
}

func touchKey(ctx context.Context, q db.Querier, keyID string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
		now, keyID, now.Add(-time.Minute))
	return err
}
