package gateway

import "context"

// DeadLetterCounts counts every account's dead work items (accounts with
// none are left out): the alerts check opens an incident while an
// account has any.
func (s *Service) DeadLetterCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT account_id, count(*) FROM gateway_work WHERE status = 'dead' GROUP BY account_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var acct string
		var n int
		if err := rows.Scan(&acct, &n); err != nil {
			return nil, err
		}
		out[acct] = n
	}
	return out, rows.Err()
}
