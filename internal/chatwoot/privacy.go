package chatwoot

import (
	"context"
	"database/sql"
	"time"
)

// EraseUser forgets the user's Chatwoot identities, inbox and team memberships and
// instance tokens: a Chatwoot sign-in makes a new hub user, never this one.
func EraseUser(ctx context.Context, tx *sql.Tx, userID string, now time.Time) (int, error) {
	n := 0
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM chatwoot_identities WHERE user_id = $1`, []any{userID}},
		{`DELETE FROM chatwoot_inbox_members WHERE user_id = $1`, []any{userID}},
		{`DELETE FROM chatwoot_team_members WHERE user_id = $1`, []any{userID}},
		{`UPDATE instance_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, []any{userID, now}},
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
