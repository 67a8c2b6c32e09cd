package alerts

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Incident is one open (or closed) incident as admins see it.
type Incident struct {
	ID          string     `json:"id"`
	AccountID   string     `json:"account_id"`
	Kind        string     `json:"kind"`
	SubjectID   string     `json:"subject_id"`
	SubjectName string     `json:"subject_name"`
	Detail      string     `json:"detail"`
	OpenedAt    time.Time  `json:"opened_at"`
	NotifiedAt  *time.Time `json:"notified_at"`
}

const incidentCols = `id, account_id, kind, subject_id, subject_name, detail, opened_at, notified_at`

func scanIncident(row interface{ Scan(...any) error }) (*Incident, error) {
	i := &Incident{}
	if err := row.Scan(&i.ID, &i.AccountID, &i.Kind, &i.SubjectID, &i.SubjectName, &i.Detail, &i.OpenedAt, &i.NotifiedAt); err != nil {
		return nil, err
	}
	return i, nil
}

// insertIncident opens an incident; opened is false when one is already
// open for the subject (the partial unique index decides, also between
// two concurrent checks).
func insertIncident(ctx context.Context, tx *sql.Tx, kind string, f Finding, now time.Time) (id string, opened bool, err error) {
	id = db.NewID()
	res, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, account_id, kind, subject_id, subject_name, detail, opened_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account_id, kind, subject_id) WHERE closed_at IS NULL DO NOTHING`,
		id, f.AccountID, kind, f.SubjectID, f.SubjectName, f.Detail, now)
	if err != nil {
		return "", false, err
	}
	n, err := res.RowsAffected()
	return id, n == 1, err
}

func markNotified(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE incidents SET notified_at = $1 WHERE id = $2`, now, id)
	return err
}

func openOfKind(ctx context.Context, q db.Querier, kind string) ([]*Incident, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+incidentCols+` FROM incidents WHERE kind = $1 AND closed_at IS NULL`, kind)
	return db.Collect(rows, err, scanIncident)
}

func closeIncident(ctx context.Context, q db.Querier, id string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE incidents SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL`, now, id)
	return err
}

// openIncidents lists an account's open incidents, oldest first.
func openIncidents(ctx context.Context, q db.Querier, accountID string) ([]*Incident, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+incidentCols+` FROM incidents WHERE account_id = $1 AND closed_at IS NULL
		ORDER BY opened_at, id`, accountID)
	return db.Collect(rows, err, scanIncident)
}
