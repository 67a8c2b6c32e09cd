package iam

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/secret"
)

var (
	errTOTPRequired = httpx.E(httpx.CodeUnauthorized, "a second factor is required: send totp_code or recovery_code")
	errTOTPWrong    = httpx.E(httpx.CodeUnauthorized, "the second factor code is wrong")
)

// requireTOTP: in production a super admin without TOTP gets a session
// that can only set it up.
func (s *Service) requireTOTP(u *User) bool { return s.Production && u.SuperAdmin && !u.TOTPEnabled }

func (s *Service) checkSecondFactor(ctx context.Context, u *User, code, recovery string) error {
	switch {
	case code != "":
		sec, err := s.Keys.DecryptString(u.totpSecret, string(secret.AAD("users", "totp_secret", u.ID)))
		if err != nil {
			return errTOTPWrong
		}
		step, ok := totpStep(strings.TrimSpace(code), sec, s.now())
		if !ok {
			return errTOTPWrong
		}
		// A code is accepted once: the step moves forward atomically, so a
		// captured code (or a second use racing the first) is refused.
		res, err := s.DB.W.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2
			AND (totp_last_step IS NULL OR totp_last_step < $1)`, step, u.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errTOTPWrong
		}
		return nil
	case recovery != "":
		return s.tx(ctx, func(tx *sql.Tx) error {
			var raw string
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(recovery_codes, '[]') FROM users WHERE id = $1`, u.ID).Scan(&raw); err != nil {
				return err
			}
			var hashes []string
			_ = json.Unmarshal([]byte(raw), &hashes)
			want := HashToken(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(recovery), "-", "")))
			for i, h := range hashes {
				if subtle.ConstantTimeCompare([]byte(h), []byte(want)) == 1 {
					rest, _ := json.Marshal(append(hashes[:i:i], hashes[i+1:]...))
					_, err := tx.ExecContext(ctx, `UPDATE users SET recovery_codes = $1 WHERE id = $2`, string(rest), u.ID)
					return err
				}
			}
			return errTOTPWrong
		})
	default:
		return errTOTPRequired
	}
}

// TOTPSetup creates a pending secret for the caller: it is stored
// encrypted and becomes active only once a code from it is confirmed.
func (s *Service) TOTPSetup(w http.ResponseWriter, r *http.Request) error {
	p, err := sessionUser(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := userByID(ctx, s.DB.R, p.UserID)
	if err != nil {
		return err
	}
	if u.TOTPEnabled {
		return httpx.E(httpx.CodeConflict, "two-factor authentication is already on; disable it first")
	}
	label := u.Email
	if label == "" {
		label = u.ID
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "WhatPro Hub", AccountName: label})
	if err != nil {
		return err
	}
	enc, err := s.Keys.EncryptString(key.Secret(), string(secret.AAD("users", "totp_secret", u.ID)))
	if err != nil {
		return err
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE users SET totp_secret = $1 WHERE id = $2`, enc, u.ID); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"secret": key.Secret(), "otpauth_url": key.URL()})
	return nil
}

// TOTPEnable confirms the pending secret with a code and returns one-time
// recovery codes (shown once; only hashes are kept).
func (s *Service) TOTPEnable(w http.ResponseWriter, r *http.Request) error {
	p, err := sessionUser(r)
	if err != nil {
		return err
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	u, err := userByID(ctx, s.DB.R, p.UserID)
	if err != nil {
		return err
	}
	if u.totpSecret == "" || u.TOTPEnabled {
		return httpx.E(httpx.CodeConflict, "start with POST /api/v1/me/totp/setup")
	}
	if err := s.checkSecondFactor(ctx, u, in.Code, ""); err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "code", Code: httpx.FieldMismatch, Message: "does not match the authenticator"})
	}
	codes, hashes := recoveryCodes(10)
	raw, _ := json.Marshal(hashes)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled = TRUE, recovery_codes = $1 WHERE id = $2`, string(raw), u.ID); err != nil {
			return err
		}
		if err := clearMFAPending(ctx, tx, p.SessionID); err != nil {
			return err
		}
		return s.recordUser(ctx, tx, u.ID, s.Entry(r, "", "user.totp.enabled", "user", u.ID))
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"enabled": true, "recovery_codes": codes})
	return nil
}

// totpStep finds the 30-second step (now, or one either side for clock
// skew) whose code is code.
func totpStep(code, sec string, now time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, d := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		t := now.Add(d)
		want, err := totp.GenerateCodeCustom(sec, t, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}

func recoveryCodes(n int) (codes, hashes []string) {
	for range n {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		c := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:10]
		codes = append(codes, c[:5]+"-"+c[5:])
		hashes = append(hashes, HashToken(c))
	}
	return codes, hashes
}
