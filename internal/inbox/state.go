package inbox

import (
	"context"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
)

// The state of a hub inbox as Chatwoot has it, for what points at it (a
// number's inbox badge): what Chatwoot changed shows as it is.
const (
	StateActive   = "active"   // in Chatwoot as of the last look
	StatePending  = "pending"  // being created in Chatwoot
	StateRemoved  = "removed"  // deleted in Chatwoot (the sync no longer lists it)
	StateUnlinked = "unlinked" // the account's Chatwoot link was removed
	StateMissing  = "missing"  // the hub's row itself is gone
)

// States answers the state of each of the account's inboxes named by id
// (ids of no row of the account are StateMissing).
func States(ctx context.Context, q db.Querier, accountID string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	linked, err := chatwoot.Linked(ctx, q, accountID)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id], out[id] = true, StateMissing
	}
	rows, err := q.QueryContext(ctx, `SELECT id, state, removed_at IS NOT NULL FROM inboxes WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, state string
		var removed bool
		if err := rows.Scan(&id, &state, &removed); err != nil {
			return nil, err
		}
		if !want[id] {
			continue
		}
		switch {
		case !linked:
			out[id] = StateUnlinked
		case removed:
			out[id] = StateRemoved
		case state == StatePending:
			out[id] = StatePending
		default:
			out[id] = StateActive
		}
	}
	return out, rows.Err()
}

// ByChatwootID is the account's mirrored inbox with that Chatwoot inbox id.
func ByChatwootID(ctx context.Context, q db.Querier, accountID string, chatwootInboxID int) (*Inbox, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM inboxes WHERE account_id = $1 AND chatwoot_inbox_id = $2 ORDER BY removed_at IS NOT NULL, id LIMIT 1`,
		accountID, chatwootInboxID).Scan(&id)
	if err != nil {
		return nil, db.Translate(err)
	}
	return Get(ctx, q, accountID, id)
}
