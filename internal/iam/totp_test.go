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
		// The code that enabled TOTP was used up: the next step's is new.
		used, err := totp.GenerateCode(secret, time.Now())
		must(t, err)
		code, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
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
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "setup again", Method: "POST", Path: "/api/v1/me/totp/setup", Header: apptest.Bearer(u.Token), Status: 409, Code: "CONFLICT"},
			{Name: "password alone", Method: "POST", Path: "/api/v1/auth/login", Body: with(nil), Status: 401, Code: "UNAUTHORIZED", Contains: []string{"second factor"}},
			{Name: "wrong code", Method: "POST", Path: "/api/v1/auth/login", Body: with(map[string]string{"totp_code": stale}), Status: 401, Code: "UNAUTHORIZED"},
			{Name: "right code, wrong password", Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": "wrong-password-1", "totp_code": code},
				Status: 401, Code: "UNAUTHORIZED", Contains: []string{"the email or the password is wrong"}},
			{Name: "the enabling code again", Method: "POST", Path: "/api/v1/auth/login", Body: with(map[string]string{"totp_code": used}), Status: 401, Code: "UNAUTHORIZED"},
			{Name: "right code", Method: "POST", Path: "/api/v1/auth/login", Body: with(map[string]string{"totp_code": code}), Status: 200},
			{Name: "right code replayed", Method: "POST", Path: "/api/v1/auth/login", Body: with(map[string]string{"totp_code": code}), Status: 401, Code: "UNAUTHORIZED"},
			{Name: "recovery code", Method: "POST", Path: "/api/v1/auth/login", Body: with(map[string]string{"recovery_code": strings.ToLower(recovery[0])}), Status: 200},
			{Name: "recovery code twice", Method: "POST", Path: "/api/v1/auth/login", Body: with(map[string]string{"recovery_code": recovery[0]}), Status: 401, Code: "UNAUTHORIZED"},
			{Name: "another recovery code", Method: "POST", Path: "/api/v1/auth/login", Body: with(map[string]string{"recovery_code": strings.ReplaceAll(recovery[1], "-", "")}), Status: 200},
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
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "me says so", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(s.Token), Status: 200, Contains: []string{`"mfa_pending":true`}},
			{Name: "no accounts yet", Method: "POST", Path: "/api/v1/accounts", Header: apptest.Bearer(s.Token), Body: map[string]string{"name": "Early"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "no listing", Method: "GET", Path: "/api/v1/accounts", Header: apptest.Bearer(s.Token), Status: 403, Code: "FORBIDDEN"},
			{Name: "no password change", Method: "POST", Path: "/api/v1/me/password", Header: apptest.Bearer(s.Token),
				Body: map[string]string{"current_password": apptest.SuperPassword, "new_password": "another-passphrase-5"}, Status: 403, Code: "FORBIDDEN"},
		})
		secret, _ := enableTOTP(t, h, s)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts", Token: s.Token, Body: map[string]string{"name": "Now"}}).Expect(t, 201)
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200)
		if strings.Contains(string(h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Body), `"mfa_pending":true`) {
			t.Error("still pending after enabling")
		}
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: login(apptest.SuperEmail, apptest.SuperPassword)}).
			ExpectError(t, 401, "UNAUTHORIZED")
		code, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		must(t, err)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"email": apptest.SuperEmail, "password": apptest.SuperPassword, "totp_code": code}}).Expect(t, 200)
	})
}
