package plan

import (
	"context"
	"time"

	"github.com/whatpro/hub/internal/db"
)

func count(query string) Counter {
	return func(ctx context.Context, q db.Querier, accountID string, _ time.Time) (int, error) {
		var n int
		err := q.QueryRowContext(ctx, query, accountID).Scan(&n)
		return n, err
	}
}

// DefaultCounters measure the limits whose tables other packages do not
// own; the Kanban adds max_boards (kanban.BoardCounter) and usage adds
// max_messages_per_month (usage.MonthMessages) when they are wired.
func DefaultCounters() map[string]Counter {
	return map[string]Counter{
		MaxInboxes:           count(`SELECT count(*) FROM inboxes WHERE account_id = $1 AND managed AND removed_at IS NULL`),
		MaxProviderInstances: count(`SELECT count(*) FROM provider_instances WHERE account_id = $1`),
		MaxAgents:            count(`SELECT count(*) FROM memberships WHERE account_id = $1 AND status = 'active'`),
	}
}
