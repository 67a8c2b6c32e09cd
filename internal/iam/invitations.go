package iam

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/mail"
)

// Invitation is the answer to adding or re-inviting someone: the member
// as the account sees it, and either the one-time link to hand over (no
// mail configured; shown this once) or mailed=true.
type Invitation struct {
	Member
	InvitationURL string    `json:"invitation_url,omitempty"`
	Mailed        bool      `json:"invitation_mailed"`
	ExpiresAt     time.Time `json:"invitation_expires_at"`
}

var errBadInvitation = httpx.Invalid(httpx.FieldError{Field: "token", Code: httpx.FieldExpired, Message: "is unknown, used or expired; ask for a new invitation"})

// invite issues the invitation link for u in the account and mails it, or
// returns it to hand over.
func (s *Service) invite(ctx context.Context, tx *sql.Tx, r *http.Request, accountID string, u *User, role string, now time.Time) (*Invitation, error) {
	tok, exp, err := issueToken(ctx, tx, purposeInvitation, u.ID, accountID, s.Mail, now)
	if err != nil {
		return nil, err
	}
	out := &Invitation{ExpiresAt: exp, Mailed: s.Mail}
	link := s.PublicURL + "/invitation#token=" + tok
	if !s.Mail {
		out.InvitationURL = link
		return out, nil
	}
	a, err := getAccount(ctx, tx, accountID)
	if err != nil {
		return nil, err
	}
	d := mail.Data{AccountName: a.Name, InviterName: s.inviterName(ctx, tx, r), Role: role, HasLogin: u.passwordHash != "",
		ValidFor: validFor(u.Locale, "72")}
	return out, s.mailLink(ctx, tx, mail.KindInvitation, u, link, d)
}

func (s *Service) inviterName(ctx context.Context, q db.Querier, r *http.Request) string {
	if r == nil {
		return ""
	}
	p := PrincipalFrom(r.Context())
	if p == nil || p.Kind == KindAPIKey {
		return ""
	}
	if u, err := userByID(ctx, q, p.UserID); err == nil {
		return u.Name
	}
	return ""
}

func validFor(locale, hours string) string {
	unit := map[bool]string{true: " hours", false: " horas"}[mail.Locale(locale) == "en"]
	if hours == "1" {
		unit = map[bool]string{true: " hour", false: " hora"}[mail.Locale(locale) == "en"]
	}
	return hours + unit
}

// mailLink queues a message whose link carries a one-time token, in the
// transaction that issued the token.
func (s *Service) mailLink(ctx context.Context, tx *sql.Tx, kind string, u *User, link string, d mail.Data) error {
	args, err := mail.Seal(s.Keys, kind, u.Email, u.Locale, link, d)
	if err != nil {
		return err
	}
	_, err = s.Jobs.InsertTx(ctx, tx, args, nil)
	return err
}

// Reinvite sends a member a new invitation link (the old one stops
// working), or invites a removed member back. A Chatwoot-only member (no
// email) gets no link: they come back by signing in from Chatwoot.
func (s *Service) Reinvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role string `json:"role"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	if in.Role != "" && !ValidRole(in.Role) {
		return httpx.Invalid(httpx.FieldError{Field: "role", Message: "must be admin, supervisor or agent"})
	}
	ctx, now, accountID, userID := r.Context(), s.now(), AccessFrom(r.Context()).AccountID, r.PathValue("userID")
	var out *Invitation
	err := s.tx(ctx, func(tx *sql.Tx) error {
		role, status, err := membership(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		if status == "active" || status == "disabled" {
			return httpx.E(httpx.CodeConflict, "this user is already a member; nothing to invite")
		}
		if in.Role != "" {
			role = in.Role
		}
		if err := s.ReserveMember(ctx, tx, accountID); err != nil {
			return err
		}
		u, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		m, err := member(ctx, tx, accountID, userID)
		name := u.Name
		if err == nil {
			name = m.Name
		}
		if err := inviteMembership(ctx, tx, accountID, userID, role, PrincipalFrom(ctx).UserID, name, now); err != nil {
			return err
		}
		out = &Invitation{}
		if u.Email != "" {
			if out, err = s.invite(ctx, tx, r, accountID, u, role, now); err != nil {
				return err
			}
		}
		out.Member = Member{ID: u.ID, Email: u.Email, Name: name, Role: role, Status: "invited", CreatedAt: now}
		e := s.Entry(r, accountID, "user.invited", "user", u.ID)
		e.After = map[string]any{"email": u.Email, "role": role, "mailed": out.Mailed, "again": true}
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

type invitationView struct {
	AccountID   string    `json:"account_id"`
	AccountName string    `json:"account_name"`
	Email       string    `json:"email"`
	Role        string    `json:"role"`
	HasLogin    bool      `json:"has_login"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// pendingInvitation resolves an invitation token: the token, its user and
// the membership it opens (invited, or active for a provisioned user who
// still has to choose a password).
func (s *Service) pendingInvitation(ctx context.Context, q db.Querier, tok string, now time.Time) (*userToken, *User, string, error) {
	t, err := findToken(ctx, q, purposeInvitation, tok, now)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, "", errBadInvitation
	} else if err != nil {
		return nil, nil, "", err
	}
	u, err := userByID(ctx, q, t.UserID)
	if err != nil {
		return nil, nil, "", err
	}
	role, status, err := membership(ctx, q, t.AccountID, t.UserID)
	if err != nil || !(status == "invited" || (status == "active" && u.passwordHash == "")) || !u.Active {
		return nil, nil, "", errBadInvitation
	}
	return t, u, role, nil
}

// InspectInvitation tells the invitation page what the link is for.
func (s *Service) InspectInvitation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	t, u, role, err := s.pendingInvitation(ctx, s.DB.R, in.Token, s.now())
	if err != nil {
		return err
	}
	a, err := getAccount(ctx, s.DB.R, t.AccountID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, invitationView{AccountID: a.ID, AccountName: a.Name, Email: u.Email, Role: role,
		HasLogin: u.passwordHash != "", ExpiresAt: t.ExpiresAt})
	return nil
}

// ActivateInvitation lets a person without a login choose their password
// from the link and join the account. A link that came by mail proves the
// address.
func (s *Service) ActivateInvitation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	t, u, _, err := s.pendingInvitation(ctx, s.DB.R, in.Token, now)
	if err != nil {
		return err
	}
	if u.passwordHash != "" {
		return httpx.E(httpx.CodeConflict, "this e-mail already has a login: sign in to accept the invitation")
	}
	if err := CheckPolicy(in.Password, u.Email); err != nil {
		return httpx.Invalid(passwordFieldError("password", in.Password))
	}
	if !t.Mailed && u.confinedElsewhere(t.AccountID) {
		return s.refuseConfined(r, t.AccountID, u)
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if ok, err := spendToken(ctx, tx, in.Token, now); err != nil || !ok {
			if err == nil {
				err = errBadInvitation
			}
			return err
		}
		if t.Mailed {
			if err := markVerified(ctx, tx, u.ID, now); err != nil {
				return err
			}
		}
		if err := setPassword(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		if err := s.joinInvited(ctx, tx, t.AccountID, u.ID, now); err != nil {
			return err
		}
		e := s.Entry(r, t.AccountID, "user.activated", "user", u.ID)
		e.ActorType, e.ActorID = "user", u.ID
		e.After = map[string]any{"email_proven": t.Mailed || u.emailVerified}
		return s.recordUser(ctx, tx, u.ID, e)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RedeemInvitation accepts, signed in, the invitation of a link.
func (s *Service) RedeemInvitation(w http.ResponseWriter, r *http.Request) error {
	p, err := sessionUser(r)
	if err != nil {
		return err
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	t, u, _, err := s.pendingInvitation(ctx, s.DB.R, in.Token, now)
	if err != nil {
		return err
	}
	if t.UserID != p.UserID {
		return errBadInvitation // someone else's: said as for any bad link
	}
	if !t.Mailed && u.confinedElsewhere(t.AccountID) {
		return s.refuseConfined(r, t.AccountID, u)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if ok, err := spendToken(ctx, tx, in.Token, now); err != nil || !ok {
			if err == nil {
				err = errBadInvitation
			}
			return err
		}
		if t.Mailed {
			if err := markVerified(ctx, tx, u.ID, now); err != nil {
				return err
			}
		}
		if err := s.joinInvited(ctx, tx, t.AccountID, u.ID, now); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, s.Entry(r, t.AccountID, "user.invitation.accepted", "user", u.ID))
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"account_id": t.AccountID})
	return nil
}

// joinInvited makes an invited membership active, taking a plan slot.
func (s *Service) joinInvited(ctx context.Context, tx *sql.Tx, accountID, userID string, now time.Time) error {
	_, status, err := membership(ctx, tx, accountID, userID)
	if err != nil || status != "invited" {
		return err
	}
	if err := s.ReserveMember(ctx, tx, accountID); err != nil {
		return err
	}
	active := "active"
	return setMembership(ctx, tx, accountID, userID, nil, &active, now)
}

// errConfined is the refusal of a user whose email nobody proved to join
// another account than the one whose admin created it.
var errConfined = httpx.E(httpx.CodeConflict, "this login's e-mail address was never confirmed, so it stays in the account that "+
	"created it; confirm the address by resetting the password from the e-mail link, or ask the hub's administrator to release it")

// ErrConfined is errConfined for other packages (platform provisioning).
var ErrConfined = errConfined

// refuseConfined audits the refusal, in the target account's chain and
// the hub's, and answers it.
func (s *Service) refuseConfined(r *http.Request, accountID string, u *User) error {
	if err := s.tx(r.Context(), func(tx *sql.Tx) error {
		return s.RecordConfinedRefusal(r, tx, accountID, u.ID, u.Email)
	}); err != nil {
		return err
	}
	return errConfined
}

// RecordConfinedRefusal audits a refused join of an unproven email.
func (s *Service) RecordConfinedRefusal(r *http.Request, tx *sql.Tx, accountID, userID, email string) error {
	e := s.Entry(r, accountID, "user.join.refused_unverified", "user", userID)
	e.After = map[string]string{"email": email, "reason": "email not confirmed; the user belongs to the account that created it"}
	return s.Audit.RecordHub(r.Context(), tx, e, nil)
}

// ReleaseEmail lets a super admin vouch for a user's email, ending its
// confinement to the account that created it.
func (s *Service) ReleaseEmail(w http.ResponseWriter, r *http.Request) error {
	ctx, now, userID := r.Context(), s.now(), r.PathValue("userID")
	var out *User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		u, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Email == "" {
			return httpx.E(httpx.CodeConflict, "this user has no e-mail address")
		}
		if err := markVerified(ctx, tx, u.ID, now); err != nil {
			return err
		}
		u.emailVerified, out = true, u
		e := s.Entry(r, "", "user.email.released", "user", u.ID)
		e.After = map[string]any{"email": u.Email, "home_account_id": u.homeAccount}
		ids, err := activeAccountIDs(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if u.homeAccount != "" && !strings.Contains(strings.Join(ids, ","), u.homeAccount) {
			ids = append(ids, u.homeAccount)
		}
		return s.Audit.RecordHub(ctx, tx, e, ids)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": out.ID, "email": out.Email, "email_verified": true})
	return nil
}
