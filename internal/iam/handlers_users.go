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

// ListUsers lists the account's members; ?status=removed (or another
// status) lists those instead.
func (s *Service) ListUsers(w http.ResponseWriter, r *http.Request) error {
	pp, err := parsePage(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", "active", "invited", "disabled", "declined", "removed":
	default:
		return httpx.Invalid(httpx.FieldError{Field: "status", Message: "must be active, invited, disabled, declined or removed"})
	}
	rows, err := listMembers(r.Context(), s.DB.Reads(), AccessFrom(r.Context()).AccountID, status, pp)
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

// AddUser invites someone by email. Nobody ever chooses another person's
// password: a new person gets a one-time link to set theirs, someone with
// a login accepts. The answer is the same whether the email already has a
// hub user or not (status invited, the name the admin typed, a link or
// "mailed"), so adding a user tells nothing about the rest of the hub.
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
	if in.Password != "" {
		c.addCode("password", httpx.FieldNotAllowed, "is chosen by the person, from the invitation link; leave it empty")
	}
	if err := c.err(); err != nil {
		return err
	}
	ctx, now, accountID := r.Context(), s.now(), AccessFrom(r.Context()).AccountID
	name := strings.TrimSpace(in.Name)
	var out *Invitation
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// A full plan refuses at once (the slot is taken on acceptance).
		if err := s.ReserveMember(ctx, tx, accountID); err != nil {
			return err
		}
		u, err := userByEmail(ctx, tx, in.Email)
		if errors.Is(err, db.ErrNotFound) {
			// A tenant's admin proves nothing about the address: the new
			// user stays in this account until someone proves it. The hub's
			// operator (a super admin) vouches for the users they add.
			home := accountID
			if p := PrincipalFrom(ctx); p.Kind == KindUser && p.SuperAdmin {
				home = ""
			}
			u, err = newUser(ctx, tx, in.Email, name, "", home, false, now)
		} else if err == nil {
			if _, st, err := membership(ctx, tx, accountID, u.ID); err == nil && (st == "active" || st == "invited" || st == "disabled") {
				return httpx.E(httpx.CodeConflict, "this user is already in the account")
			}
		}
		if err != nil {
			return err
		}
		if err := inviteMembership(ctx, tx, accountID, u.ID, in.Role, PrincipalFrom(ctx).UserID, name, now); err != nil {
			return err
		}
		if out, err = s.invite(ctx, tx, r, accountID, u, in.Role, now); err != nil {
			return err
		}
		out.Member = Member{ID: u.ID, Email: u.Email, Name: name, Role: in.Role, Status: "invited", CreatedAt: now}
		e := s.Entry(r, accountID, "user.invited", "user", u.ID)
		e.After = map[string]any{"email": u.Email, "role": in.Role, "mailed": out.Mailed}
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
	err := s.tx(ctx, func(tx *sql.Tx) error {
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
	err := s.tx(ctx, func(tx *sql.Tx) error {
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
