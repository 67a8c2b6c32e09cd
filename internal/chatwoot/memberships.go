package chatwoot

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// memberTable is one of the tables recording what a hub user belongs to
// in the linked Chatwoot account: its teams or its inboxes. The sign-in
// writes one user's rows, the members sync every known user's; both write
// only the difference.
type memberTable struct{ table, col string }

var (
	teamMembers  = memberTable{"chatwoot_team_members", "team_id"}
	inboxMembers = memberTable{"chatwoot_inbox_members", "inbox_id"}
)

// of is one user's ids, in order.
func (m memberTable) of(ctx context.Context, q db.Querier, accountID, userID string) ([]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+m.col+` FROM `+m.table+` WHERE account_id = $1 AND user_id = $2 ORDER BY `+m.col,
		accountID, userID)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (int, error) {
		var id int
		return id, r.Scan(&id)
	})
}

// all is every user's ids in the account, in one read.
func (m memberTable) all(ctx context.Context, q db.Querier, accountID string) (map[string][]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id, `+m.col+` FROM `+m.table+` WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]int{}
	for rows.Next() {
		var user string
		var id int
		if err := rows.Scan(&user, &id); err != nil {
			return nil, err
		}
		out[user] = append(out[user], id)
	}
	return out, rows.Err()
}

// set makes the user's rows exactly want, given the rows they have, and
// reports how many it added or removed.
func (m memberTable) set(ctx context.Context, tx *sql.Tx, accountID, userID string, have, want []int, now time.Time) (int, error) {
	wanted := map[int]bool{}
	for _, id := range want {
		wanted[id] = true
	}
	n := 0
	for _, id := range have {
		if wanted[id] {
			delete(wanted, id)
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+m.table+` WHERE account_id = $1 AND user_id = $2 AND `+m.col+` = $3`,
			accountID, userID, id); err != nil {
			return 0, err
		}
		n++
	}
	for id := range wanted {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+m.table+` (account_id, user_id, `+m.col+`, synced_at) VALUES ($1, $2, $3, $4)`,
			accountID, userID, id, now); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// replace is set for one user whose rows are read first (a sign-in).
func (m memberTable) replace(ctx context.Context, tx *sql.Tx, accountID, userID string, want []int, now time.Time) error {
	have, err := m.of(ctx, tx, accountID, userID)
	if err == nil {
		_, err = m.set(ctx, tx, accountID, userID, have, want, now)
	}
	return err
}
