package iam

import (
	"context"

	"github.com/whatpro/hub/internal/db"
)

// Recipient is someone the hub mails about an account.
type Recipient struct {
	UserID, Email, Locale string
}

// AccountAdmins lists the active admins of an active account who have an
// e-mail address and an active login, with the account's name (the
// alerts mail them).
func AccountAdmins(ctx context.Context, q db.Querier, accountID string) (accountName string, out []Recipient, err error) {
	rows, err := q.QueryContext(ctx, `SELECT a.name, u.id, u.email, u.locale FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id
		WHERE m.account_id = $1 AND m.role = 'admin' AND m.status = 'active' AND u.active AND u.email IS NOT NULL
		AND a.status = 'active' ORDER BY u.id`, accountID)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&accountName, &r.UserID, &r.Email, &r.Locale); err != nil {
			return "", nil, err
		}
		out = append(out, r)
	}
	return accountName, out, rows.Err()
}
