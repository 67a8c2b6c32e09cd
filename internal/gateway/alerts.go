package gateway

import (
	"context"

	"github.com/whatpro/hub/internal/db"
)

// DeadLetterCounts counts every account's dead work items (accounts with
// none are left out): the alerts check opens an incident while an
// account has any.
func (s *Service) DeadLetterCounts(ctx context.Context) (map[string]int, error) {
	return db.Counts(s.DB.R.QueryContext(ctx, `SELECT account_id, count(*) FROM gateway_work WHERE status = 'dead' GROUP BY account_id`))
}
