package iam

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Provisioning helpers for the operator's platform events: they run inside
// the caller's transaction and are audited by the caller.

// CreateAccountTx creates an account.
func (s *Service) CreateAccountTx(ctx context.Context, tx *sql.Tx, name string) (*Account, error) {
	return createAccount(ctx, tx, name, s.now())
}

// SetAccountStatus suspends or reactivates an account.
func (s *Service) SetAccountStatus(ctx context.Context, tx *sql.Tx, accountID, status string) error {
	return updateAccount(ctx, tx, accountID, nil, &status, s.now())
}

// ProvisionUser makes email a member of the account with role: a new email
// becomes a password-less user who gets an activation link (mailed, or
// returned to hand over); an existing user is added directly, since the
// operator vouches for it, unless it is an unproven email confined to
// another account (ErrConfined; the caller audits the refusal).
func (s *Service) ProvisionUser(ctx context.Context, tx *sql.Tx, accountID, email, name, role string) (string, string, error) {
	if !ValidRole(role) {
		return "", "", fmt.Errorf("role must be admin, supervisor or agent")
	}
	now := s.now()
	u, err := userByEmail(ctx, tx, email)
	if errors.Is(err, db.ErrNotFound) {
		u, err = newUser(ctx, tx, email, name, "", "", false, now)
	}
	if err != nil {
		return "", "", err
	}
	if u.confinedElsewhere(accountID) {
		return u.ID, "", ErrConfined
	}
	link := ""
	if u.passwordHash == "" {
		inv, err := s.invite(ctx, tx, nil, accountID, u, role, now)
		if err != nil {
			return "", "", err
		}
		link = inv.InvitationURL
	}
	uid, err := s.provisionMembership(ctx, tx, accountID, u, role, now)
	return uid, link, err
}

func (s *Service) provisionMembership(ctx context.Context, tx *sql.Tx, accountID string, u *User, role string, now time.Time) (string, error) {
	cur, status, err := membership(ctx, tx, accountID, u.ID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return "", err
	}
	if status != "active" {
		if err := s.ReserveMember(ctx, tx, accountID); err != nil {
			return "", err
		}
	}
	if err := s.keepAnAdmin(ctx, tx, accountID, status == "active" && cur == RoleAdmin && role != RoleAdmin); err != nil {
		return "", err
	}
	return u.ID, upsertMembership(ctx, tx, accountID, u.ID, role, "active", "", now)
}

// RemoveUserByEmail ends the membership of email in the account, revoking
// what the user held there. It refuses to remove the last admin.
func (s *Service) RemoveUserByEmail(r *http.Request, tx *sql.Tx, accountID, email string) (string, error) {
	ctx := r.Context()
	u, err := userByEmail(ctx, tx, email)
	if err != nil {
		return "", err
	}
	m, err := member(ctx, tx, accountID, u.ID)
	if err != nil {
		return "", err
	}
	if err := s.keepAnAdmin(ctx, tx, accountID, m.Role == RoleAdmin && m.Status == "active"); err != nil {
		return "", err
	}
	removed := "removed"
	if err := setMembership(ctx, tx, accountID, u.ID, nil, &removed, s.now()); err != nil {
		return "", err
	}
	return u.ID, s.endAccess(r, tx, accountID, u.ID)
}

// GetAccountTx reads an account inside a transaction.
func (s *Service) GetAccountTx(ctx context.Context, tx *sql.Tx, accountID string) (*Account, error) {
	return getAccount(ctx, s.DB.InTx(tx), accountID)
}

// TransferMemberships gives `to` every active membership of `from` (keeping
// the better role where `to` is already a member) and ends `from`'s, with
// what it held there revoked. It serves the explicit linking of a Chatwoot
// identity to a hub user; it returns the accounts involved.
func (s *Service) TransferMemberships(r *http.Request, tx *sql.Tx, from, to string) ([]string, error) {
	ctx, now := r.Context(), s.now()
	ids, err := activeAccountIDs(ctx, tx, from)
	if err != nil {
		return nil, err
	}
	rank := map[string]int{RoleAgent: 1, RoleSupervisor: 2, RoleAdmin: 3}
	for _, accountID := range ids {
		role, _, err := membership(ctx, tx, accountID, from)
		if err != nil {
			return nil, err
		}
		if cur, status, err := membership(ctx, tx, accountID, to); err == nil && status == "active" && rank[cur] >= rank[role] {
			role = cur
		} else if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
		if err := upsertMembership(ctx, tx, accountID, to, role, "active", "", now); err != nil {
			return nil, err
		}
		removed := "removed"
		if err := setMembership(ctx, tx, accountID, from, nil, &removed, now); err != nil {
			return nil, err
		}
		if err := s.endAccess(r, tx, accountID, from); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// IsPlaceholder reports whether a user exists only as a Chatwoot identity
// (no email, no password, not a super admin): the only kind of user whose
// identity may move to another hub user.
func IsPlaceholder(ctx context.Context, q db.Querier, userID string) (bool, error) {
	u, err := userByID(ctx, q, userID)
	if err != nil {
		return false, err
	}
	return u.Email == "" && u.passwordHash == "" && !u.SuperAdmin, nil
}
