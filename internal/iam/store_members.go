package iam

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Member is a user as seen from one account.
type Member struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Membership is one of the user's accounts (for /me).
type Membership struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name"`
	Role        string `json:"role"`
	Status      string `json:"status"`
}

func membership(ctx context.Context, q db.Querier, accountID, userID string) (role, status string, err error) {
	err = q.QueryRowContext(ctx, `SELECT role, status FROM memberships WHERE account_id = $1 AND user_id = $2`,
		accountID, userID).Scan(&role, &status)
	return role, status, db.Translate(err)
}

// memberName is what an account sees as a member's name: until someone
// accepts an invitation, the name its admin typed, never the user's own
// (which would tell the admin who already has a login on the hub).
const memberName = `CASE WHEN m.status = 'invited' AND m.invited_name IS NOT NULL THEN m.invited_name ELSE u.name END`

func member(ctx context.Context, q db.Querier, accountID, userID string) (*Member, error) {
	m := &Member{}
	err := q.QueryRowContext(ctx, `SELECT u.id, COALESCE(u.email, ''), `+memberName+`, m.role, m.status, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = $1 AND m.user_id = $2 AND m.status <> 'removed'`, accountID, userID).
		Scan(&m.ID, &m.Email, &m.Name, &m.Role, &m.Status, &m.CreatedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	return m, nil
}

// listMembers lists the account's members: with status "" those who are
// in it or invited, else those of that status (removed members, to
// invite them again).
// listMembers pages by m.user_id, the membership key's second column, so
// SQLite walks the key in order instead of sorting in a temporary B-tree.
func listMembers(ctx context.Context, q db.Querier, accountID, status string, p httpx.PageParams) ([]*Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, COALESCE(u.email, ''), `+memberName+`, m.role, m.status, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = $1 AND (($4 = '' AND m.status NOT IN ('removed', 'declined')) OR m.status = $4) AND m.user_id > $2
		ORDER BY m.user_id LIMIT $3`, accountID, p.After, p.Limit+1, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Member
	for rows.Next() {
		m := &Member{}
		if err := rows.Scan(&m.ID, &m.Email, &m.Name, &m.Role, &m.Status, &m.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// inviteMembership makes (or revives) an invitation with the name the
// inviting admin typed.
func inviteMembership(ctx context.Context, tx *sql.Tx, accountID, userID, role, invitedBy, name string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (account_id, user_id, role, status, invited_by, invited_name, created_at, updated_at)
		VALUES ($1, $2, $3, 'invited', $4, $5, $6, $6)
		ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role, status = 'invited', invited_by = excluded.invited_by,
			invited_name = excluded.invited_name, updated_at = excluded.updated_at`,
		accountID, userID, role, nullIfEmpty(invitedBy), nullIfEmpty(name), now)
	return db.Translate(err)
}

// upsertMembership sets the membership, reviving a removed or declined one.
func upsertMembership(ctx context.Context, tx *sql.Tx, accountID, userID, role, status, invitedBy string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (account_id, user_id, role, status, invited_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)
		ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role, status = excluded.status,
			invited_by = excluded.invited_by, updated_at = excluded.updated_at`,
		accountID, userID, role, status, nullIfEmpty(invitedBy), now)
	return db.Translate(err)
}

func setMembership(ctx context.Context, tx *sql.Tx, accountID, userID string, role, status *string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE memberships SET role = COALESCE($3, role), status = COALESCE($4, status), updated_at = $5
		WHERE account_id = $1 AND user_id = $2 AND status <> 'removed'`, accountID, userID, role, status, now)
	return affected(res, err)
}

// activeAdmins counts the account's active admins. On PostgreSQL the rows
// are locked so that two concurrent demotions cannot both see "two left".
func activeAdmins(ctx context.Context, tx *sql.Tx, d db.Dialect, accountID string) (int, error) {
	q := `SELECT user_id FROM memberships WHERE account_id = $1 AND role = 'admin' AND status = 'active'`
	if d == db.Postgres {
		q += ` FOR UPDATE`
	}
	rows, err := tx.QueryContext(ctx, q, accountID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func userMemberships(ctx context.Context, q db.Querier, userID string) ([]Membership, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.name, m.role, m.status FROM memberships m
		JOIN accounts a ON a.id = m.account_id
		WHERE m.user_id = $1 AND m.status IN ('active', 'invited') ORDER BY a.name, a.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Membership{}
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.AccountID, &m.AccountName, &m.Role, &m.Status); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// activeAccountIDs lists the accounts whose chains get the user's events.
func activeAccountIDs(ctx context.Context, q db.Querier, userID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT account_id FROM memberships WHERE user_id = $1 AND status = 'active' ORDER BY account_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ActiveMembers returns the account's active members among ids (all of
// them when ids is nil), for domains that name people (the chat's room
// members and mentions) without reading this package's tables. Inside a
// transaction pass tx, so the answer holds until commit.
func ActiveMembers(ctx context.Context, q db.Querier, accountID string, ids []string) ([]*Member, error) {
	query := `SELECT u.id, COALESCE(u.email, ''), u.name, m.role, m.status, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = $1 AND m.status = 'active'`
	args := []any{accountID}
	if ids != nil {
		if len(ids) == 0 {
			return []*Member{}, nil
		}
		query += ` AND u.id IN (`
		for i, id := range ids {
			if i > 0 {
				query += `, `
			}
			args = append(args, id)
			query += `$` + strconv.Itoa(len(args))
		}
		query += `)`
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY u.id`, args...)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (*Member, error) {
		m := &Member{}
		return m, r.Scan(&m.ID, &m.Email, &m.Name, &m.Role, &m.Status, &m.CreatedAt)
	})
}
