package iam

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Account is a tenant: one company.
type Account struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Role      string    `json:"role,omitempty"` // the caller's role, in lists
}

const accountCols = `a.id, a.name, a.status, a.created_at, a.updated_at`

func scanAccount(row interface{ Scan(...any) error }, extra ...any) (*Account, error) {
	a := &Account{}
	if err := row.Scan(append([]any{&a.ID, &a.Name, &a.Status, &a.CreatedAt, &a.UpdatedAt}, extra...)...); err != nil {
		return nil, db.Translate(err)
	}
	return a, nil
}

func createAccount(ctx context.Context, tx *sql.Tx, name string, now time.Time) (*Account, error) {
	a := &Account{ID: db.NewID(), Name: name, Status: "active", CreatedAt: now, UpdatedAt: now}
	_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, name, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
		a.ID, a.Name, a.Status, now)
	return a, db.Translate(err)
}

func getAccount(ctx context.Context, q db.Querier, accountID string) (*Account, error) {
	return scanAccount(q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.id = $1`, accountID))
}

func updateAccount(ctx context.Context, tx *sql.Tx, accountID string, name, status *string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET name = COALESCE($2, name), status = COALESCE($3, status), updated_at = $4 WHERE id = $1`,
		accountID, name, status, now)
	return affected(res, err)
}

// listAccounts returns every account (all) or the user's active ones.
func listAccounts(ctx context.Context, q db.Querier, userID string, all bool, p httpx.PageParams) ([]*Account, error) {
	var rows *sql.Rows
	var err error
	if all {
		rows, err = q.QueryContext(ctx, `SELECT `+accountCols+`, COALESCE(m.role, '') FROM accounts a
			LEFT JOIN memberships m ON m.account_id = a.id AND m.user_id = $1 AND m.status = 'active'
			WHERE a.id > $2 ORDER BY a.id LIMIT $3`, userID, p.After, p.Limit+1)
	} else {
		rows, err = q.QueryContext(ctx, `SELECT `+accountCols+`, m.role FROM accounts a
			JOIN memberships m ON m.account_id = a.id AND m.user_id = $1 AND m.status = 'active'
			WHERE a.id > $2 ORDER BY a.id LIMIT $3`, userID, p.After, p.Limit+1)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Account
	for rows.Next() {
		var role string
		a, err := scanAccount(rows, &role)
		if err != nil {
			return nil, err
		}
		a.Role = role
		out = append(out, a)
	}
	return out, rows.Err()
}
