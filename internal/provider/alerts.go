package provider

import (
	"context"
)

// DownNumber is a number that dropped: not connected because the provider
// reported it (logged out, refused, the session dropped). A number never
// connected, waiting for its QR code or disconnected by an admin from the
// hub is not down.
type DownNumber struct {
	ID        string
	AccountID string
	Name      string // the admin's display name, else the instance name
	Reason    string // a Reason constant
}

// DownNumbers lists every account's dropped numbers (the alerts check).
func (s *Service) DownNumbers(ctx context.Context) ([]DownNumber, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, account_id, CASE WHEN display_name <> '' THEN display_name ELSE name END,
		disconnect_reason FROM provider_instances
		WHERE status <> 'connected' AND disconnect_reason IN ($1, $2, $3) ORDER BY account_id, id`,
		ReasonLoggedOut, ReasonRefused, ReasonDropped)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DownNumber
	for rows.Next() {
		var n DownNumber
		if err := rows.Scan(&n.ID, &n.AccountID, &n.Name, &n.Reason); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
