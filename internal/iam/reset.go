package iam

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/mail"
)

// Password reset by e-mail. Asking answers the same for every address
// after the same work (one job inserted); the job finds the user and
// mails the link. The link proves the address.

// resetEvery is how often one user can be mailed a reset link.
const resetEvery = time.Minute

var errResetUnavailable = httpx.E(httpx.CodeUnavailable, "password reset by e-mail is not set up on this hub (WHATPRO_SMTP_URL); ask an administrator")

// RequestPasswordReset queues the reset mail for an address.
func (s *Service) RequestPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	var c checks
	c.text("email", in.Email, 1, 254)
	if err := c.err(); err != nil {
		return err
	}
	if !s.Mail {
		return errResetUnavailable
	}
	ctx := r.Context()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := s.Jobs.InsertTx(ctx, tx, PasswordResetArgs{Email: NormalizeEmail(in.Email), RequestID: httpx.RequestID(ctx),
			IP: s.Proxies.ClientIP(r)}, nil)
		return err
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "accepted",
		"message": "if the address has a login on this hub, a link to choose a new password is on its way"})
	return nil
}

// PasswordResetArgs asks for a reset link to be mailed to Email.
type PasswordResetArgs struct {
	Email     string `json:"email"`
	IP        string `json:"ip"`
	RequestID string `json:"request_id"`
}

// Kind names the job in River.
func (PasswordResetArgs) Kind() string { return "iam.password_reset" }

// PasswordResetWorker issues and mails the link.
type PasswordResetWorker struct {
	river.WorkerDefaults[PasswordResetArgs]
	S *Service
}

// Work mails a reset link to an active user with that email, at most once
// a minute; for any other address it does nothing.
func (w *PasswordResetWorker) Work(ctx context.Context, j *river.Job[PasswordResetArgs]) error {
	s := w.S
	u, err := userByEmail(ctx, s.DB.R, j.Args.Email)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if !u.Active || u.Email == "" {
		return nil
	}
	now := s.now()
	if last, err := lastTokenAt(ctx, s.DB.R, u.ID, purposeReset); err != nil {
		return err
	} else if last != nil && now.Sub(*last) < resetEvery {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		tok, _, err := issueToken(ctx, tx, purposeReset, u.ID, "", true, now)
		if err != nil {
			return err
		}
		if err := s.mailLink(ctx, tx, mail.KindReset, u, s.PublicURL+"/reset-password#token="+tok, mail.Data{ValidFor: validFor(u.Locale, "1")}); err != nil {
			return err
		}
		ids, err := activeAccountIDs(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		return s.Audit.RecordHub(ctx, tx, audit.Entry{ActorType: "system", Action: "user.password.reset_requested", ResourceType: "user",
			ResourceID: u.ID, IP: j.Args.IP, RequestID: j.Args.RequestID}, ids)
	})
}

// ConfirmPasswordReset sets the new password from the link, proves the
// address and ends every session of the user.
func (s *Service) ConfirmPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	bad := httpx.Invalid(httpx.FieldError{Field: "token", Code: httpx.FieldExpired, Message: "is unknown, used or expired; ask for a new link"})
	t, err := findToken(ctx, s.DB.R, purposeReset, in.Token, now)
	if errors.Is(err, db.ErrNotFound) {
		return bad
	} else if err != nil {
		return err
	}
	u, err := userByID(ctx, s.DB.R, t.UserID)
	if err != nil {
		return err
	}
	if err := CheckPolicy(in.Password, u.Email); err != nil {
		return httpx.Invalid(passwordFieldError("password", in.Password))
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if ok, err := spendToken(ctx, tx, in.Token, now); err != nil || !ok {
			if err == nil {
				err = bad
			}
			return err
		}
		if err := setPassword(ctx, tx, u.ID, hash, now); err != nil {
			return err
		}
		if err := markVerified(ctx, tx, u.ID, now); err != nil {
			return err
		}
		n, err := revokeUserSessions(ctx, tx, u.ID, "", "password_reset", now)
		if err != nil {
			return err
		}
		e := s.Entry(r, "", "user.password.reset", "user", u.ID)
		e.ActorType, e.ActorID = "user", u.ID
		e.After = map[string]int64{"sessions_revoked": n}
		return s.recordUser(ctx, tx, u.ID, e)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
