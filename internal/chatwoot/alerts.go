package chatwoot

import "context"

// FailingLink is a Chatwoot link whose last check or call failed.
type FailingLink struct {
	ID        string
	AccountID string
	BaseURL   string
}

// FailingLinks lists the links that need attention (the alerts check);
// the stored error stays in this package.
func (s *Service) FailingLinks(ctx context.Context) ([]FailingLink, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, account_id, base_url FROM chatwoot_links WHERE status <> 'ok' ORDER BY account_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FailingLink
	for rows.Next() {
		var l FailingLink
		if err := rows.Scan(&l.ID, &l.AccountID, &l.BaseURL); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
