package iam

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// MembershipEnded is called in the transaction that ends a membership, so
// other domains can revoke what the user held there (instance tokens).
type MembershipEnded func(r *http.Request, tx *sql.Tx, accountID, userID string) error

// ListUsers lists the account's members.
func (s *Service) ListUsers(w http.ResponseWriter, r *http.Request) error {
	pp, err := parsePage(r)
	if err != nil {
		return err
	}
	rows, err := listMembers(r.Context(), s.DB.R, AccessFrom(r.Context()).AccountID, pp)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, pp, func(m *Member) string { return m.ID }))
	return nil
}

type addUserReq struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// AddUser creates a user for a new email, or invites an existing hub user
// (who accepts in the console): never a silent takeover of an account.
func (s *Service) AddUser(w http.ResponseWriter, r *http.Request) error {
	var in addUserReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var c checks
	c.email("email", in.Email)
	c.text("name", in.Name, 1, 120)
	if !ValidRole(in.Role) {
		c.add("role", "must be admin, supervisor or agent")
	}
	if err := c.err(); err != nil {
		return err
	}
	ctx, now, accountID := r.Context(), s.now(), AccessFrom(r.Context()).AccountID
	existing, err := userByEmail(ctx, s.DB.R, in.Email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	var hash string
	if existing == nil {
		if err := CheckPolicy(in.Password, in.Email); err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "password", Message: PasswordRule})
		}
		if hash, err = HashPassword(in.Password); err != nil {
			return err
		}
	}
	var out *Member
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		u, status := existing, "invited"
		if u == nil {
			var err error
			if u, err = newUser(ctx, tx, in.Email, strings.TrimSpace(in.Name), hash, false, now); err != nil {
				return err
			}
			status = "active"
			if err := s.ReserveMember(ctx, tx, accountID); err != nil {
				return err
			}
		} else if _, st, err := membership(ctx, tx, accountID, u.ID); err == nil && (st == "active" || st == "invited" || st == "disabled") {
			return httpx.E(httpx.CodeConflict, "this user is already in the account")
		}
		if err := upsertMembership(ctx, tx, accountID, u.ID, in.Role, status, PrincipalFrom(ctx).UserID, now); err != nil {
			return err
		}
		out = &Member{ID: u.ID, Email: u.Email, Name: u.Name, Role: in.Role, Status: status, CreatedAt: now}
		action := "user.added"
		if status == "invited" {
			action = "user.invited"
		}
		e := s.Entry(r, accountID, action, "user", u.ID)
		e.After = out
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// UpdateUser changes a member's role or membership state (never the
// user's global state). The last active admin cannot be demoted.
func (s *Service) UpdateUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role   *string `json:"role"`
		Active *bool   `json:"active"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Role != nil && !ValidRole(*in.Role) {
		return httpx.Invalid(httpx.FieldError{Field: "role", Message: "must be admin, supervisor or agent"})
	}
	ctx, now, accountID, userID := r.Context(), s.now(), AccessFrom(r.Context()).AccountID, r.PathValue("userID")
	var status *string
	if in.Active != nil {
		st := "disabled"
		if *in.Active {
			st = "active"
		}
		status = &st
	}
	var after *Member
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := member(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		// Only the user makes an invitation (pending or declined) active.
		if status != nil && before.Status != "active" && before.Status != "disabled" {
			return httpx.E(httpx.CodeConflict, "the user has not accepted the invitation")
		}
		losesAdmin := before.Role == RoleAdmin && before.Status == "active" &&
			((in.Role != nil && *in.Role != RoleAdmin) || (status != nil && *status != "active"))
		if err := s.keepAnAdmin(ctx, tx, accountID, losesAdmin); err != nil {
			return err
		}
		if status != nil && *status == "active" && before.Status != "active" {
			// Re-enabling takes a plan slot like adding does.
			if err := s.ReserveMember(ctx, tx, accountID); err != nil {
				return err
			}
		}
		if err := setMembership(ctx, tx, accountID, userID, in.Role, status, now); err != nil {
			return err
		}
		if status != nil && *status != "active" {
			if err := s.endAccess(r, tx, accountID, userID); err != nil {
				return err
			}
		}
		if after, err = member(ctx, tx, accountID, userID); err != nil {
			return err
		}
		e := s.Entry(r, accountID, "user.updated", "user", userID)
		e.Before, e.After = before, after
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, after)
	return nil
}

// RemoveUser ends a membership: access stops on the next request and the
// user's API keys and instance tokens for the account are revoked.
func (s *Service) RemoveUser(w http.ResponseWriter, r *http.Request) error {
	ctx, now, accountID, userID := r.Context(), s.now(), AccessFrom(r.Context()).AccountID, r.PathValue("userID")
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, err := member(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		if err := s.keepAnAdmin(ctx, tx, accountID, before.Role == RoleAdmin && before.Status == "active"); err != nil {
			return err
		}
		removed := "removed"
		if err := setMembership(ctx, tx, accountID, userID, nil, &removed, now); err != nil {
			return err
		}
		if err := s.endAccess(r, tx, accountID, userID); err != nil {
			return err
		}
		e := s.Entry(r, accountID, "user.removed", "user", userID)
		e.Before = before
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) keepAnAdmin(ctx context.Context, tx *sql.Tx, accountID string, losesAdmin bool) error {
	if !losesAdmin {
		return nil
	}
	n, err := activeAdmins(ctx, tx, s.DB.Dialect, accountID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return httpx.E(httpx.CodeConflict, "the account must keep at least one active admin")
	}
	return nil
}

// endAccess revokes what a user held in an account.
func (s *Service) endAccess(r *http.Request, tx *sql.Tx, accountID, userID string) error {
	if err := revokeUserKeys(r.Context(), tx, accountID, userID, s.now()); err != nil {
		return err
	}
	for _, fn := range s.OnMembershipEnded {
		if err := fn(r, tx, accountID, userID); err != nil {
			return err
		}
	}
	return nil
}
