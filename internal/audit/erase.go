package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Erased says what an erasure did to the log.
type Erased struct {
	// Rows lost their personal fields (ip, user agent, before, after)
	// and keep the digest their MAC covers: the chain still verifies.
	Rows int `json:"rows"`
	// Older rows were signed over the fields themselves (before erasure
	// existed); clearing them would break their chain, so they stay.
	Kept int `json:"kept"`
}

// ErasePerson clears the personal fields of every entry by or about
// subjectID (its actor or its resource), on chainID only when given, as a
// tombstone: the row, its action and its ids stay, its MAC still holds.
func (l *Log) ErasePerson(ctx context.Context, tx *sql.Tx, subjectID, chainID string, now time.Time) (Erased, error) {
	var out Erased
	rows, err := tx.QueryContext(ctx, `SELECT id, mac_version, ip, user_agent, before, after FROM audit_logs
		WHERE (actor_id = $1 OR resource_id = $1) AND ($2 = '' OR chain_id = $2) AND erased_at IS NULL`, subjectID, chainID)
	if err != nil {
		return out, fmt.Errorf("audit: erase: %w", db.Translate(err))
	}
	type hit struct {
		id     string
		digest string
	}
	var hits []hit
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.ID, &r.Version, &r.IP, &r.UserAgent, &r.Before, &r.After); err != nil {
			rows.Close()
			return out, err
		}
		if r.Version < 2 {
			out.Kept++
			continue
		}
		hits = append(hits, hit{r.ID, r.personalDigest()})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	for _, h := range hits {
		if _, err := tx.ExecContext(ctx, `UPDATE audit_logs SET ip = '', user_agent = '', before = NULL, after = NULL,
			personal_digest = $2, erased_at = $3 WHERE id = $1`, h.id, h.digest, now); err != nil {
			return out, fmt.Errorf("audit: erase: %w", db.Translate(err))
		}
		out.Rows++
	}
	return out, nil
}

// DropChain removes an account's whole chain (its rows and head) when the
// account itself is purged; the hub chain keeps the record of the purge.
func (l *Log) DropChain(ctx context.Context, tx *sql.Tx, accountID string) error {
	if accountID == "" || accountID == HubChain {
		return fmt.Errorf("%w: account id %q", ErrInvalidEntry, accountID)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM audit_logs WHERE chain_id = $1`, accountID); err != nil {
		return fmt.Errorf("audit: drop chain: %w", db.Translate(err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM audit_heads WHERE chain_id = $1`, accountID); err != nil {
		return fmt.Errorf("audit: drop chain: %w", db.Translate(err))
	}
	return nil
}
