package feature

import (
	"database/sql"
	"net/http"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Handler serves the feature routes.
type Handler struct {
	Flags *Flags
	IAM   *iam.Service
}

// Get answers {account_id, features} for the calling principal's role.
func (h *Handler) Get(w http.ResponseWriter, r *http.Request) error {
	acc := iam.AccessFrom(r.Context())
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"account_id": acc.AccountID, "features": h.Flags.Evaluate(r.Context(), acc.AccountID, acc.Role)})
	return nil
}

// Put merges overrides (super admin), audited with before and after.
func (h *Handler) Put(w http.ResponseWriter, r *http.Request) error {
	var in map[string]bool
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var bad []httpx.FieldError
	for name := range in {
		if !Known(name) {
			bad = append(bad, httpx.FieldError{Field: name, Message: "is not a feature"})
		}
	}
	if len(in) == 0 {
		bad = append(bad, httpx.FieldError{Field: "body", Message: "name at least one feature, such as {\"kanban\": true}"})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	before := h.Flags.Evaluate(ctx, accountID, "admin")
	err := h.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		if err := SetOverrides(ctx, tx, accountID, in); err != nil {
			return err
		}
		e := h.IAM.Entry(r, accountID, "account.features.updated", "account", accountID)
		e.Before, e.After = before, in
		return h.IAM.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"account_id": accountID, "features": h.Flags.Evaluate(ctx, accountID, "admin")})
	return nil
}
