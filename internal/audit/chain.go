package audit

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/whatpro/hub/internal/db"
)

// lockHead reads a chain's head for update. PostgreSQL needs the row lock
// so that concurrent writers queue instead of forking the chain; SQLite
// has no FOR UPDATE and needs none: its single writer already serialises.
var lockHead = map[db.Dialect]string{
	db.SQLite:   `SELECT seq, mac FROM audit_heads WHERE chain_id = $1`,
	db.Postgres: `SELECT seq, mac FROM audit_heads WHERE chain_id = $1 FOR UPDATE`,
}

// append gives r the next seq of its chain, signs it and stores it with
// the new head, all in tx.
func (l *Log) append(ctx context.Context, tx *sql.Tx, r record) error {
	// The empty head makes the first row of a chain go through the same
	// lock as every other; DO NOTHING waits for a concurrent creator.
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_heads (chain_id, seq, mac, updated_at)
		VALUES ($1, 0, '', $2) ON CONFLICT (chain_id) DO NOTHING`, r.ChainID, r.CreatedAt); err != nil {
		return fmt.Errorf("audit: create head: %w", db.Translate(err))
	}
	var prevMAC string
	if err := tx.QueryRowContext(ctx, lockHead[l.db.Dialect], r.ChainID).Scan(&r.Seq, &prevMAC); err != nil {
		return fmt.Errorf("audit: lock head: %w", db.Translate(err))
	}
	r.Seq++
	r.ID = db.NewID()
	r.KeyID = l.key.ID
	r.Version = 2
	r.MAC = r.sum(l.key.Key, prevMAC)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_logs (id, chain_id, seq, account_id,
		actor_type, actor_id, action, resource_type, resource_id, ip, user_agent, request_id,
		before, after, created_at, mac_key_id, mac, mac_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		r.ID, r.ChainID, r.Seq, r.AccountID, r.ActorType, r.ActorID, r.Action, r.ResourceType,
		r.ResourceID, r.IP, r.UserAgent, r.RequestID, r.Before, r.After, r.CreatedAt, r.KeyID, r.MAC, r.Version); err != nil {
		return fmt.Errorf("audit: insert: %w", db.Translate(err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_heads SET seq = $2, mac = $3, updated_at = $4
		WHERE chain_id = $1`, r.ChainID, r.Seq, r.MAC, r.CreatedAt); err != nil {
		return fmt.Errorf("audit: update head: %w", db.Translate(err))
	}
	return nil
}
