package iam

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// CreateAccount makes a tenant (super admins only).
func (s *Service) CreateAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var c checks
	c.text("name", in.Name, 1, 120)
	if err := c.err(); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	var a *Account
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = createAccount(ctx, tx, strings.TrimSpace(in.Name), now); err != nil {
			return err
		}
		e := s.Entry(r, a.ID, "account.created", "account", a.ID)
		e.After = a
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, a)
	return nil
}

// ListAccounts lists every account for super admins, one's own otherwise.
func (s *Service) ListAccounts(w http.ResponseWriter, r *http.Request) error {
	p, err := consoleUser(r)
	if err != nil {
		return err
	}
	pp, err := parsePage(r)
	if err != nil {
		return err
	}
	rows, err := listAccounts(r.Context(), s.DB.R, p.UserID, p.SuperAdmin && p.Kind == KindUser, pp)
	if err != nil {
		return err
	}
	if p.Kind == KindInstanceToken {
		kept := rows[:0]
		for _, a := range rows {
			if a.ID == p.AccountID {
				kept = append(kept, a)
			}
		}
		rows = kept
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, pp, func(a *Account) string { return a.ID }))
	return nil
}

// GetAccount returns the route's account.
func (s *Service) GetAccount(w http.ResponseWriter, r *http.Request) error {
	acc := AccessFrom(r.Context())
	a, err := getAccount(r.Context(), s.DB.R, acc.AccountID)
	if err != nil {
		return err
	}
	a.Role = acc.Role
	httpx.WriteJSON(w, http.StatusOK, a)
	return nil
}

// UpdateAccount renames the account; only super admins change its status.
func (s *Service) UpdateAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name   *string `json:"name"`
		Status *string `json:"status"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var c checks
	if in.Name != nil {
		c.text("name", *in.Name, 1, 120)
		trimmed := strings.TrimSpace(*in.Name)
		in.Name = &trimmed
	}
	if in.Status != nil && *in.Status != "active" && *in.Status != "suspended" {
		c.add("status", "must be active or suspended")
	}
	if err := c.err(); err != nil {
		return err
	}
	p, acc := PrincipalFrom(r.Context()), AccessFrom(r.Context())
	if in.Status != nil && !(p.Kind == KindUser && p.SuperAdmin) {
		return httpx.E(httpx.CodeForbidden, "only super admins change an account's status")
	}
	ctx, now := r.Context(), s.now()
	var after *Account
	err := s.tx(ctx, func(tx *sql.Tx) error {
		before, err := getAccount(ctx, tx, acc.AccountID)
		if err != nil {
			return err
		}
		if err := updateAccount(ctx, tx, acc.AccountID, in.Name, in.Status, now); err != nil {
			return err
		}
		if after, err = getAccount(ctx, tx, acc.AccountID); err != nil {
			return err
		}
		e := s.Entry(r, acc.AccountID, "account.updated", "account", acc.AccountID)
		e.Before, e.After = before, after
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, after)
	return nil
}

// JoinAccount makes the calling super admin an active admin of the account
// (one click from the account page, after creating it): a new member takes
// a seat of the plan; an existing membership becomes active admin (a
// removed one revived). Joining twice changes nothing.
func (s *Service) JoinAccount(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	if p.Kind != KindUser || !p.SuperAdmin {
		return httpx.E(httpx.CodeForbidden, "only a super admin, signed in to the console, joins an account")
	}
	ctx, now, accountID := r.Context(), s.now(), AccessFrom(r.Context()).AccountID
	var joined bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		role, status, err := membership(ctx, tx, accountID, p.UserID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if status == "active" && role == RoleAdmin {
			return nil
		}
		if status != "active" {
			if err := s.ReserveMember(ctx, tx, accountID); err != nil {
				return err
			}
		}
		if err := upsertMembership(ctx, tx, accountID, p.UserID, RoleAdmin, "active", "", now); err != nil {
			return err
		}
		joined = true
		e := s.Entry(r, accountID, "account.joined", "user", p.UserID)
		e.Before = map[string]any{"role": role, "status": status}
		e.After = map[string]any{"role": RoleAdmin, "status": "active"}
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	m, err := member(ctx, s.DB.W, accountID, p.UserID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if joined {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, m)
	return nil
}
