package privacy

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Deletion is a requested account deletion.
type Deletion struct {
	AccountID   string    `json:"account_id"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	PurgeAfter  time.Time `json:"purge_after"`
}

func getDeletion(ctx context.Context, q db.Querier, accountID string) (*Deletion, error) {
	d := &Deletion{AccountID: accountID}
	err := q.QueryRowContext(ctx, `SELECT requested_by, requested_at, purge_after FROM account_deletions WHERE account_id = $1`,
		accountID).Scan(&d.RequestedBy, &d.RequestedAt, &d.PurgeAfter)
	if err != nil {
		return nil, db.Translate(err)
	}
	d.RequestedAt, d.PurgeAfter = d.RequestedAt.UTC(), d.PurgeAfter.UTC()
	return d, nil
}

// GetDeletion answers the account's pending deletion (404 when none).
func (s *Service) GetDeletion(w http.ResponseWriter, r *http.Request) error {
	d, err := getDeletion(r.Context(), s.DB.R, r.PathValue("accountID"))
	if errors.Is(err, db.ErrNotFound) {
		return httpx.E(httpx.CodeNotFound, "no deletion is scheduled for this account")
	} else if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, d)
	return nil
}

// RequestDeletion schedules the account's purge after the grace period;
// the body must repeat the account's name, as a typed confirmation.
func (s *Service) RequestDeletion(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), r.PathValue("accountID")
	var in struct {
		ConfirmName string `json:"confirm_name"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	now := s.now()
	var out *Deletion
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = $1`, accountID).Scan(&name); err != nil {
			return db.Translate(err)
		}
		if in.ConfirmName != name {
			return httpx.Invalid(httpx.FieldError{Field: "confirm_name", Message: "must be the account's name, exactly"})
		}
		if _, err := getDeletion(ctx, tx, accountID); err == nil {
			return httpx.E(httpx.CodeConflict, "a deletion is already scheduled for this account")
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		e := s.Entry(r, accountID, "account.deletion_requested", "account", accountID)
		out = &Deletion{AccountID: accountID, RequestedBy: e.ActorID, RequestedAt: now, PurgeAfter: now.Add(s.Grace)}
		if _, err := tx.ExecContext(ctx, `INSERT INTO account_deletions (account_id, requested_by, requested_at, purge_after)
			VALUES ($1, $2, $3, $4)`, accountID, out.RequestedBy, now, out.PurgeAfter); err != nil {
			return db.Translate(err)
		}
		e.After = map[string]any{"purge_after": out.PurgeAfter}
		return s.Audit.RecordHub(ctx, tx, e, []string{accountID})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, out)
	return nil
}

// CancelDeletion keeps the account: the scheduled purge is dropped.
func (s *Service) CancelDeletion(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), r.PathValue("accountID")
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM account_deletions WHERE account_id = $1`, accountID)
		if err != nil {
			return db.Translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return httpx.E(httpx.CodeNotFound, "no deletion is scheduled for this account")
		}
		return s.Audit.RecordHub(ctx, tx, s.Entry(r, accountID, "account.deletion_cancelled", "account", accountID), []string{accountID})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PurgeArgs is the periodic job that purges accounts past their grace.
type PurgeArgs struct{}

func (PurgeArgs) Kind() string { return "privacy.purge_accounts" }

// PurgeWorker purges every account whose deletion is due.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	S *Service
}

func (w *PurgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	return w.S.PurgeDue(ctx)
}

// PurgeDue purges the accounts whose grace period is over, one
// transaction each.
func (s *Service) PurgeDue(ctx context.Context) error {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT account_id FROM account_deletions WHERE purge_after <= $1 ORDER BY purge_after`, s.now())
	ids, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.purge(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
