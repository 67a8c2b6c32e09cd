package plan

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Handler serves plans (super admin), account plans and entitlements.
type Handler struct {
	Catalog *Catalog
	IAM     *iam.Service
}

type planReq struct {
	Name     *string         `json:"name"`
	Limits   map[string]*int `json:"limits"`
	Features map[string]bool `json:"features"`
}

func (in *planReq) check(creating bool) error {
	var bad []httpx.FieldError
	if creating && in.Name == nil {
		bad = append(bad, httpx.FieldError{Field: "name", Code: httpx.FieldRequired, Message: "is required"})
	}
	if in.Name != nil {
		if n := strings.TrimSpace(*in.Name); n == "" || len(n) > 80 || strings.EqualFold(n, Default.Name) {
			bad = append(bad, httpx.FieldError{Field: "name", Message: "must be 1 to 80 characters and not the built-in plan's name"})
		}
	}
	for k, v := range in.Limits {
		if !validLimit(k) {
			bad = append(bad, httpx.FieldError{Field: "limits." + k, Code: httpx.FieldUnknown, Message: "is not a limit"})
		} else if v != nil && *v < 0 {
			bad = append(bad, httpx.FieldError{Field: "limits." + k, Message: "must be zero or more (null for unlimited)"})
		}
	}
	for k := range in.Features {
		if !feature.Known(k) {
			bad = append(bad, httpx.FieldError{Field: "features." + k, Code: httpx.FieldUnknown, Message: "is not a feature"})
		}
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	return nil
}

func limitsJSON(base map[string]int, in map[string]*int) string {
	out := map[string]int{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range in {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// List lists the built-in plan and the custom ones.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.Catalog.DB.R.QueryContext(r.Context(), `SELECT `+planCols+` FROM plans WHERE archived_at IS NULL AND id <> 'default' ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := []*Plan{&Default}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page[*Plan]{Data: out})
	return nil
}

// Create adds a plan.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	var in planReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.check(true); err != nil {
		return err
	}
	now := db.Now()
	feats, _ := json.Marshal(orEmpty(in.Features))
	p := &Plan{ID: db.NewID(), Name: strings.TrimSpace(*in.Name), Features: orEmpty(in.Features), CreatedAt: now, UpdatedAt: now}
	lim := limitsJSON(nil, in.Limits)
	_ = json.Unmarshal([]byte(lim), &p.Limits)
	_, err := h.Catalog.DB.W.ExecContext(r.Context(), `INSERT INTO plans (id, name, limits, features, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		p.ID, p.Name, lim, string(feats), now)
	if errors.Is(db.Translate(err), db.ErrConflict) {
		return httpx.E(httpx.CodeConflict, "a plan with that name exists")
	} else if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
	return nil
}

// Update changes a custom plan's name, limits (null removes one) or features.
func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	var in planReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := in.check(false); err != nil {
		return err
	}
	id, ctx := r.PathValue("planID"), r.Context()
	if id == DefaultID {
		return httpx.E(httpx.CodeConflict, "the built-in plan cannot be changed; create a plan")
	}
	var out *Plan
	err := h.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		p, err := getPlan(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			p.Name = strings.TrimSpace(*in.Name)
		}
		for k, v := range in.Features {
			p.Features[k] = v
		}
		lim := limitsJSON(p.Limits, in.Limits)
		feats, _ := json.Marshal(p.Features)
		p.UpdatedAt = db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE plans SET name = $1, limits = $2, features = $3, updated_at = $4 WHERE id = $5`,
			p.Name, lim, string(feats), p.UpdatedAt, id); err != nil {
			return db.Translate(err)
		}
		p.Limits = map[string]int{}
		_ = json.Unmarshal([]byte(lim), &p.Limits)
		out = p
		return nil
	})
	if errors.Is(err, db.ErrConflict) {
		return httpx.E(httpx.CodeConflict, "a plan with that name exists")
	} else if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// Delete archives a plan no account uses (409 otherwise).
func (h *Handler) Delete(w http.ResponseWriter, r *http.Request) error {
	id, ctx := r.PathValue("planID"), r.Context()
	if id == DefaultID {
		return httpx.E(httpx.CodeConflict, "the built-in plan cannot be deleted")
	}
	err := h.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := getPlan(ctx, tx, id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM account_plans WHERE plan_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return httpx.E(httpx.CodeConflict, "the plan is used by "+itoa(n)+" account(s); move them to another plan first")
		}
		_, err := tx.ExecContext(ctx, `UPDATE plans SET archived_at = $1 WHERE id = $2`, db.Now(), id)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// SetAccountPlan assigns a plan and overrides to an account (audited).
func (h *Handler) SetAccountPlan(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PlanID    string         `json:"plan_id"`
		Overrides map[string]int `json:"overrides"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var bad []httpx.FieldError
	for k, v := range in.Overrides {
		if !validLimit(k) || v < 0 {
			bad = append(bad, httpx.FieldError{Field: "overrides." + k, Message: "must be a known limit with a value of zero or more"})
		}
	}
	if in.PlanID == "" {
		bad = append(bad, httpx.FieldError{Field: "plan_id", Code: httpx.FieldRequired, Message: "is required"})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	err := h.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := getPlan(ctx, tx, in.PlanID); errors.Is(err, db.ErrNotFound) {
			return httpx.Invalid(httpx.FieldError{Field: "plan_id", Code: httpx.FieldNotFound, Message: "is not a plan"})
		} else if err != nil {
			return err
		}
		over, _ := json.Marshal(orEmptyInt(in.Overrides))
		if _, err := tx.ExecContext(ctx, `INSERT INTO account_plans (account_id, plan_id, overrides, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id) DO UPDATE SET plan_id = excluded.plan_id, overrides = excluded.overrides, updated_at = excluded.updated_at`,
			accountID, in.PlanID, string(over), db.Now()); err != nil {
			return err
		}
		e := h.IAM.Entry(r, accountID, "account.plan.updated", "account", accountID)
		e.After = map[string]any{"plan_id": in.PlanID, "overrides": in.Overrides}
		return h.IAM.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	return h.Entitlements(w, r)
}

type entitlement struct {
	Name  string `json:"name"`
	Limit *int   `json:"limit"` // null: unlimited
	Used  int    `json:"used"`
}

// Entitlements lists each limit with its current use.
func (h *Handler) Entitlements(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	p, over, err := h.Catalog.AccountPlan(ctx, h.Catalog.DB.R, accountID)
	if err != nil {
		return err
	}
	var out []entitlement
	for _, name := range LimitNames {
		e := entitlement{Name: name}
		if v, ok := over[name]; ok {
			e.Limit = &v
		} else if v, ok := p.Limits[name]; ok {
			e.Limit = &v
		}
		if e.Used, err = h.Catalog.used(ctx, h.Catalog.DB.R, accountID, name); err != nil {
			return err
		}
		out = append(out, e)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"account_id": accountID, "plan": map[string]string{"id": p.ID, "name": p.Name},
		"overrides": over, "limits": out})
	return nil
}

func orEmpty(m map[string]bool) map[string]bool {
	if m == nil {
		return map[string]bool{}
	}
	return m
}

func orEmptyInt(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}
