package iam

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

const refreshCookie = "whatpro_refresh"

type loginReq struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	TOTPCode     string `json:"totp_code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
}

type tokenResp struct {
	AccessToken string    `json:"access_token"`
	ExpiresAt   time.Time `json:"expires_at"`
	User        *User     `json:"user"`
}

var errBadLogin = httpx.E(httpx.CodeUnauthorized, "the email or the password is wrong")

// Login checks a password and opens a session. Every failed login gets
// the same answer after the same work, whoever the email belongs to: one
// user lookup, the same throttle queries, one password hash, and the same
// two writes (the attempt and the job that audits it).
func (s *Service) Login(w http.ResponseWriter, r *http.Request) error {
	var in loginReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var c checks
	c.text("email", in.Email, 1, 254)
	c.text("password", in.Password, 1, 256)
	if err := c.err(); err != nil {
		return err
	}
	ctx, ip, now := r.Context(), s.Proxies.ClientIP(r), s.now()
	u, err := userByEmail(ctx, s.DB.R, in.Email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	if blocked, wait, err := throttled(ctx, s.DB.R, in.Email, ip, u != nil && u.SuperAdmin, now); err != nil {
		return err
	} else if blocked {
		secs := int(wait.Seconds()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return httpx.E(httpx.CodeRateLimited, "too many failed logins; try again in "+strconv.Itoa(secs)+" seconds")
	}
	hash := dummyHash
	if u != nil && u.passwordHash != "" {
		hash = u.passwordHash
	}
	ok := s.checkPassword(hash, in.Password) && u != nil && u.passwordHash != "" && u.Active
	if ok && u.TOTPEnabled {
		if err := s.checkSecondFactor(ctx, u, in.TOTPCode, in.RecoveryCode); err != nil {
			return s.loginFailed(r, u, in.Email, ip, now, err)
		}
	}
	if !ok {
		return s.loginFailed(r, u, in.Email, ip, now, errBadLogin)
	}
	var out tokenResp
	var refresh string
	err = s.tx(ctx, func(tx *sql.Tx) error {
		mfaPending := s.requireTOTP(u)
		sess, err := createSession(ctx, tx, u.ID, ip, r.UserAgent(), mfaPending, now)
		if err != nil {
			return err
		}
		refresh = RandomToken("wpr_")
		if err := insertRefresh(ctx, tx, sess.ID, refresh, now); err != nil {
			return err
		}
		if err := recordAttempt(ctx, tx, in.Email, ip, true, now); err != nil {
			return err
		}
		e := s.Entry(r, "", "auth.login.succeeded", "session", sess.ID)
		e.ActorType, e.ActorID = "user", u.ID
		if err := s.recordUser(ctx, tx, u.ID, e); err != nil {
			return err
		}
		out.AccessToken, out.ExpiresAt, err = s.Signer.Mint(u.ID, sess.ID)
		out.User = u
		return err
	})
	if err != nil {
		return err
	}
	s.setRefreshCookie(w, refresh)
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// loginFailed counts the failure and leaves its audit to a job: writing
// it here would reach the chains of the user's accounts, more writes for
// an email that exists than for one that does not.
func (s *Service) loginFailed(r *http.Request, u *User, email, ip string, now time.Time, answer error) error {
	ctx := r.Context()
	args := LoginFailedArgs{Email: NormalizeEmail(email), IP: ip, UserAgent: truncate(r.UserAgent(), 300),
		RequestID: httpx.RequestID(ctx), At: now}
	if u != nil {
		args.UserID = u.ID
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := recordAttempt(ctx, tx, email, ip, false, now); err != nil {
			return err
		}
		_, err := s.Jobs.InsertTx(ctx, tx, args, nil)
		return err
	})
	if err != nil {
		return err
	}
	return answer
}

// checkPassword is CheckPassword, counted: tests prove with the count that
// every failed login hashes exactly once.
func (s *Service) checkPassword(hash, pw string) bool {
	s.passwordChecks.Add(1)
	return CheckPassword(hash, pw)
}

// PasswordChecks is how many password hashes the service has computed.
func (s *Service) PasswordChecks() int64 { return s.passwordChecks.Load() }

// recordUser writes an event about a user to the hub chain and to the
// chain of every account the user belongs to.
func (s *Service) recordUser(ctx context.Context, tx *sql.Tx, userID string, e audit.Entry) error {
	ids, err := activeAccountIDs(ctx, tx, userID)
	if err != nil {
		return err
	}
	return s.Audit.RecordHub(ctx, tx, e, ids)
}

// Refresh rotates the refresh token. Presenting one that was already used
// means it was copied: the whole session is revoked.
func (s *Service) Refresh(w http.ResponseWriter, r *http.Request) error {
	ck, err := r.Cookie(refreshCookie)
	if err != nil || ck.Value == "" {
		// No cookie: nobody is signed in, which is no failed credential. A
		// console page loading signed out asks this first, and a 401 there
		// is an error in every browser's console.
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	ctx, now := r.Context(), s.now()
	var out tokenResp
	var next string
	var answer error
	err = s.tx(ctx, func(tx *sql.Tx) error {
		sid, reused, err := useRefresh(ctx, tx, ck.Value, now)
		if errors.Is(err, db.ErrNotFound) {
			answer = httpx.E(httpx.CodeTokenInvalid, "the refresh token is not valid")
			return nil
		} else if err != nil {
			return err
		}
		sess, err := getSession(ctx, tx, sid)
		if err != nil {
			return err
		}
		if reused {
			answer = httpx.E(httpx.CodeSessionRevoked, "this refresh token was already used; the session has been ended")
			if sess.revokedAt != nil {
				return nil
			}
			if err := revokeSession(ctx, tx, sess.UserID, sid, "refresh_reuse", now); err != nil {
				return err
			}
			e := s.Entry(r, "", "auth.refresh.reused", "session", sid)
			e.ActorType, e.ActorID = "user", sess.UserID
			return s.recordUser(ctx, tx, sess.UserID, e)
		}
		u, err := userByID(ctx, tx, sess.UserID)
		if err != nil {
			return err
		}
		if sess.revokedAt != nil || !sess.ExpiresAt.After(now) || !u.Active {
			answer = httpx.E(httpx.CodeSessionRevoked, "this session has ended; log in again")
			return nil
		}
		next = RandomToken("wpr_")
		if err := insertRefresh(ctx, tx, sid, next, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE id = $3`, now.Add(RefreshTTL), now, sid); err != nil {
			return err
		}
		out.User = u
		out.AccessToken, out.ExpiresAt, err = s.Signer.Mint(u.ID, sid)
		return err
	})
	if err != nil {
		return err
	}
	if answer != nil {
		s.clearRefreshCookie(w)
		return answer
	}
	s.setRefreshCookie(w, next)
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// Logout ends the caller's session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	if p.Kind != KindUser || p.SessionID == "" {
		return httpx.E(httpx.CodeForbidden, "only a console session can log out")
	}
	if err := s.endSession(r, p.UserID, p.SessionID, "logout", "auth.logout"); err != nil {
		return err
	}
	s.clearRefreshCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) endSession(r *http.Request, userID, sessionID, reason, action string) error {
	ctx, now := r.Context(), s.now()
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := revokeSession(ctx, tx, userID, sessionID, reason, now); err != nil {
			return err
		}
		return s.recordUser(ctx, tx, userID, s.Entry(r, "", action, "session", sessionID))
	})
}

func (s *Service) setRefreshCookie(w http.ResponseWriter, tok string) {
	http.SetCookie(w, &http.Cookie{Name: refreshCookie, Value: tok, Path: s.CookiePath, HttpOnly: true,
		Secure: s.SecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: int(RefreshTTL.Seconds())})
}

func (s *Service) clearRefreshCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: refreshCookie, Value: "", Path: s.CookiePath, HttpOnly: true,
		Secure: s.SecureCookie, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}
