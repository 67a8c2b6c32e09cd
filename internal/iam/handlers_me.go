package iam

import (
	"database/sql"
	"errors"
	"net/http"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// consoleUser returns the caller when it is a user (session or instance
// token), refusing API keys on user-centric routes.
func consoleUser(r *http.Request) (*Principal, error) {
	p := PrincipalFrom(r.Context())
	if p == nil || p.Kind == KindAPIKey {
		return nil, httpx.E(httpx.CodeForbidden, "this route is for users, not API keys")
	}
	return p, nil
}

// sessionUser is for what only a console session may do with an account
// of its own (password, second factor, sessions): an embedded instance
// token is not enough.
func sessionUser(r *http.Request) (*Principal, error) {
	p := PrincipalFrom(r.Context())
	if p == nil || p.Kind != KindUser {
		return nil, httpx.E(httpx.CodeForbidden, "this route needs a console session")
	}
	return p, nil
}

type meMembership struct {
	Membership
	Permissions []string `json:"permissions"`
}

// Me returns the caller and its memberships with their permissions.
func (s *Service) Me(w http.ResponseWriter, r *http.Request) error {
	p, err := consoleUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := userByID(ctx, s.DB.R, p.UserID)
	if err != nil {
		return err
	}
	ms, err := userMemberships(ctx, s.DB.R, u.ID)
	if err != nil {
		return err
	}
	out := []meMembership{}
	for _, m := range ms {
		if p.Kind == KindInstanceToken && m.AccountID != p.AccountID {
			continue // an embedded token sees only its own account
		}
		perms := RolePermissions(m.Role)
		if m.Status != "active" {
			perms = []string{}
		}
		out = append(out, meMembership{Membership: m, Permissions: perms})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": u, "memberships": out, "mfa_pending": p.MFAPending})
	return nil
}

// ChangePassword checks the current password, applies the rule to the new
// one and ends the user's other sessions.
func (s *Service) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	p, err := sessionUser(r)
	if err != nil {
		return err
	}
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	u, err := userByID(ctx, s.DB.R, p.UserID)
	if err != nil {
		return err
	}
	if u.passwordHash == "" || !CheckPassword(u.passwordHash, in.Current) {
		return httpx.Invalid(httpx.Field("current_password", httpx.FieldMismatch, "is not your current password"))
	}
	if err := CheckPolicy(in.New, u.Email); err != nil {
		return httpx.Invalid(passwordFieldError("new_password", in.New))
	}
	hash, err := HashPassword(in.New)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := setPassword(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		n, err := revokeUserSessions(ctx, tx, u.ID, p.SessionID, "password_changed", now)
		if err != nil {
			return err
		}
		e := s.Entry(r, "", "user.password.changed", "user", u.ID)
		e.After = map[string]int64{"other_sessions_revoked": n}
		return s.recordUser(ctx, tx, u.ID, e)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AnswerInvitation accepts or declines an invitation to an account.
func (s *Service) AnswerInvitation(accept bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// Joining an account is the person's own decision, made in the
		// console: an embedded token of one account cannot make it.
		p, err := sessionUser(r)
		if err != nil {
			return err
		}
		ctx, now, accountID := r.Context(), s.now(), r.PathValue("invitedAccountID")
		_, status, err := membership(ctx, s.DB.R, accountID, p.UserID)
		if err != nil || status != "invited" {
			return httpx.NotFound()
		}
		if accept {
			u, err := userByID(ctx, s.DB.R, p.UserID)
			if err != nil {
				return err
			}
			if u.confinedElsewhere(accountID) {
				return s.refuseConfined(r, accountID, u)
			}
		}
		next, action := "declined", "user.invitation.declined"
		if accept {
			next, action = "active", "user.invitation.accepted"
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			if accept {
				if err := s.ReserveMember(ctx, tx, accountID); err != nil {
					return err
				}
			}
			if err := setMembership(ctx, tx, accountID, p.UserID, nil, &next, now); err != nil {
				return err
			}
			return s.Audit.Record(ctx, tx, s.Entry(r, accountID, action, "user", p.UserID))
		})
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// ListSessions lists the caller's open sessions, marking the current one.
func (s *Service) ListSessions(w http.ResponseWriter, r *http.Request) error {
	p, err := sessionUser(r)
	if err != nil {
		return err
	}
	// The list shows last_seen_at: write the pending uses first.
	if err := s.FlushTouches(r.Context()); err != nil {
		return err
	}
	list, err := listSessions(r.Context(), s.DB.R, p.UserID, s.now())
	if err != nil {
		return err
	}
	for _, x := range list {
		x.Current = x.ID == p.SessionID
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.Page[*Session]{Data: list})
	return nil
}

// RevokeSession ends one of the caller's sessions; it takes effect on that
// session's very next request.
func (s *Service) RevokeSession(w http.ResponseWriter, r *http.Request) error {
	p, err := sessionUser(r)
	if err != nil {
		return err
	}
	err = s.endSession(r, p.UserID, r.PathValue("sessionID"), "revoked", "session.revoked")
	if errors.Is(err, db.ErrNotFound) {
		return httpx.NotFound()
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Reauthenticate has the signed-in user prove again that it is them, for
// a decision that binds their login (linking a Chatwoot identity): their
// password, or a code from their authenticator. Failures count as failed
// logins (same throttle), so it is no password oracle for a stolen
// session.
func (s *Service) Reauthenticate(r *http.Request, userID, password, totpCode string) error {
	ctx, ip, now := r.Context(), s.Proxies.ClientIP(r), s.now()
	if password == "" && totpCode == "" {
		return httpx.Invalid(httpx.FieldError{Field: "password", Code: httpx.FieldRequired, Message: "confirm with your password (or totp_code, a code from your authenticator)"})
	}
	u, err := userByID(ctx, s.DB.R, userID)
	if err != nil {
		return err
	}
	if blocked, wait, err := throttled(ctx, s.DB.R, u.Email, ip, u.SuperAdmin, now); err != nil {
		return err
	} else if blocked {
		return httpx.E(httpx.CodeRateLimited, "too many failed attempts; try again in "+itoa(int(wait.Seconds())+1)+" seconds")
	}
	field, ok := "password", false
	if password != "" {
		hash := u.passwordHash
		if hash == "" {
			hash = dummyHash
		}
		ok = s.checkPassword(hash, password) && u.passwordHash != ""
	} else {
		field = "totp_code"
		ok = u.TOTPEnabled && s.checkSecondFactor(ctx, u, totpCode, "") == nil
	}
	if ok {
		return nil
	}
	if err := recordAttempt(ctx, s.DB.W, u.Email, ip, false, now); err != nil {
		return err
	}
	return httpx.Invalid(httpx.Field(field, httpx.FieldMismatch, "does not match; nothing was changed"))
}
