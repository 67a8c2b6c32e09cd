package iam_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/whatpro/hub/internal/apptest"
)

// enableTOTP turns on the second factor for s and returns its secret and
// recovery codes.
func enableTOTP(t *testing.T, h *apptest.Hub, s *apptest.Session) (string, []string) {
	t.Helper()
	var setup struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}
	h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/totp/setup", Token: s.Token}).Expect(t, 200).Decode(t, &setup)
	if setup.Secret == "" || !strings.HasPrefix(setup.URL, "otpauth://totp/") {
		t.Fatalf("setup: %+v", setup)
	}
	stale, err := totp.GenerateCode(setup.Secret, time.Now().Add(-time.Hour))
	must(t, err)
	h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/totp/enable", Token: s.Token, Body: map[string]string{"code": stale}}).
		ExpectError(t, 400, "VALIDATION_ERROR")
	code, err := totp.GenerateCode(setup.Secret, time.Now())
	must(t, err)
	var on struct {
		Enabled       bool     `json:"enabled"`
		RecoveryCodes []string `json:"recovery_codes"`
	}
	h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/totp/enable", Token: s.Token, Body: map[string]string{"code": code}}).Expect(t, 200).Decode(t, &on)
	if !on.Enabled || len(on.RecoveryCodes) != 10 {
		t.Fatalf("enable: %+v", on)
	}
	if n := h.Count(`SELECT count(*) FROM users WHERE totp_secret = $1`, setup.Secret); n != 0 {
		t.Fatal("the TOTP secret is stored in clear")
	}
	return setup.Secret, on.RecoveryCodes
}

func TestTOTPSecondFactor(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		u := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		secret, recovery := enableTOTP(t, h, u)
		code, err := totp.GenerateCode(secret, time.Now())
		must(t, err)
		stale, err := totp.GenerateCode(secret, time.Now().Add(-time.Hour))
		must(t, err)
		with := func(extra map[string]string) map[string]string {
			b := login(u.Email, apptest.Password)
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		run(t, h, []scenario{
			{name: "setup again", method: "POST", path: "/api/v1/me/totp/setup", header: bearer(u.Token), status: 409, code: "CONFLICT"},
			{name: "password alone", method: "POST", path: "/api/v1/auth/login", body: with(nil), status: 401, code: "UNAUTHORIZED", contains: []string{"second factor"}},
			{name: "wrong code", method: "POST", path: "/api/v1/auth/login", body: with(map[string]string{"totp_code": stale}), status: 401, code: "UNAUTHORIZED"},
			{name: "right code, wrong password", method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": u.Email, "password": "wrong-password-1", "totp_code": code},
				status: 401, code: "UNAUTHORIZED", contains: []string{"the email or the password is wrong"}},
			{name: "right code", method: "POST", path: "/api/v1/auth/login", body: with(map[string]string{"totp_code": code}), status: 200},
			{name: "recovery code", method: "POST", path: "/api/v1/auth/login", body: with(map[string]string{"recovery_code": strings.ToLower(recovery[0])}), status: 200},
			{name: "recovery code twice", method: "POST", path: "/api/v1/auth/login", body: with(map[string]string{"recovery_code": recovery[0]}), status: 401, code: "UNAUTHORIZED"},
			{name: "another recovery code", method: "POST", path: "/api/v1/auth/login", body: with(map[string]string{"recovery_code": strings.ReplaceAll(recovery[1], "-", "")}), status: 200},
		})
		h.AssertLogsFree(t, append(recovery, secret)...)
	})
}

// In production a super admin without TOTP gets a session that can only
// set it up; once it is on, the same session is whole.
func TestProductionSuperAdminMustSetUpTOTP(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{Env: []string{"WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=https://hub.example.com"}})
		s := h.LoginSuper()
		run(t, h, []scenario{
			{name: "me says so", method: "GET", path: "/api/v1/me", header: bearer(s.Token), status: 200, contains: []string{`"mfa_pending":true`}},
			{name: "no accounts yet", method: "POST", path: "/api/v1/accounts", header: bearer(s.Token), body: map[string]string{"name": "Early"}, status: 403, code: "FORBIDDEN"},
			{name: "no listing", method: "GET", path: "/api/v1/accounts", header: bearer(s.Token), status: 403, code: "FORBIDDEN"},
			{name: "no password change", method: "POST", path: "/api/v1/me/password", header: bearer(s.Token),
				body: map[string]string{"current_password": apptest.SuperPassword, "new_password": "another-passphrase-5"}, status: 403, code: "FORBIDDEN"},
		})
		secret, _ := enableTOTP(t, h, s)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts", Token: s.Token, Body: map[string]string{"name": "Now"}}).Expect(t, 201)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200)
		if strings.Contains(string(h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Body), `"mfa_pending":true`) {
			t.Error("still pending after enabling")
		}
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: login(apptest.SuperEmail, apptest.SuperPassword)}).
			ExpectError(t, 401, "UNAUTHORIZED")
		code, err := totp.GenerateCode(secret, time.Now())
		must(t, err)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": apptest.SuperEmail, "password": apptest.SuperPassword, "totp_code": code}}).Expect(t, 200)
	})
}
