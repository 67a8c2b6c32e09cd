package iam_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/mail/mailtest"
)

func mailHub(t *testing.T, dialect string, srv *mailtest.Server) *apptest.Hub {
	t.Helper()
	h := newHub(t, dialect, apptest.Options{Env: []string{"WHATPRO_SMTP_URL=" + srv.URL("smtp"), "WHATPRO_MAIL_FROM=WhatPro Hub <hub@example.test>"}})
	h.Mailbox = srv
	return h
}

// awaitMail waits for the n-th mail to addr.
func awaitMail(t *testing.T, srv *mailtest.Server, addr string, n int) mailtest.Mail {
	t.Helper()
	apptest.Eventually(t, "mail to "+addr, func() bool { return len(srv.To(addr)) >= n })
	return srv.To(addr)[n-1]
}

// With SMTP configured the hub mails the invitation (the admin never sees the link), in the
// person's language, as text and HTML with a link built from the public URL; following it proves
// the address, so the person may join other accounts.
func TestMailedInvitationProvesTheAddress(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		srv := mailtest.New(t, mailtest.Plain)
		h := mailHub(t, dialect, srv)
		super := h.LoginSuper()
		acme, globex := h.NewTenant(super, "Acme"), h.NewTenant(super, "Globex")
		const who = "dora@example.test"
		inv := h.Invite(acme.Admin.Token, acme.ID, who, "supervisor")
		if inv.InvitationURL != "" || !inv.Mailed {
			t.Fatalf("with mail the admin must not see the link: %+v", inv)
		}
		m := awaitMail(t, srv, who, 1)
		link := m.Link()
		if !strings.HasPrefix(link, strings.TrimSuffix(h.URL, "/")+"/invitation#token=wpa_") || !strings.Contains(m.HTML, link) {
			t.Fatalf("the mail's link %q (html %q)", link, m.HTML)
		}
		if m.Subject != "Convite para Acme no WhatPro Hub" || !strings.Contains(m.Text, "Escolha a sua senha") || m.Authed != "hub" {
			t.Errorf("mail: %q / %q", m.Subject, m.Text)
		}
		// Only a hash is stored, and the job that mailed it held it sealed.
		tok := apptest.LinkToken(t, link)
		if h.Count(`SELECT count(*) FROM user_tokens WHERE hash = $1`, tok) != 0 ||
			h.Count(`SELECT count(*) FROM river_job WHERE CAST(args AS TEXT) LIKE $1`, "%"+tok+"%") != 0 {
			t.Error("the token is stored in clear")
		}
		h.Activate(link, apptest.Password)
		dora := h.Login(who, apptest.Password)
		// Proven: another account's invitation can be accepted.
		h.Invite(globex.Admin.Token, globex.ID, who, "agent")
		second := awaitMail(t, srv, who, 2)
		if !strings.Contains(second.Text, "Entre com o seu acesso") {
			t.Errorf("an invitation to someone with a login says to sign in: %q", second.Text)
		}
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/me/invitations/" + globex.ID + "/accept", Token: dora.Token}).Expect(t, 204)

		// A mail server that is down does not hold the request up, and the mail is not lost.
		srv.SetDown(true)
		h.Invite(acme.Admin.Token, acme.ID, "late@example.test", "agent")
		srv.SetDown(false)
		awaitMail(t, srv, "late@example.test", 1)
	})
}

// Forgot password: the answer is identical for any address; only an existing user gets a link
// (in their language); the link sets a new password once, proves the address and ends every
// session of the user.
func TestPasswordResetByMail(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		srv := mailtest.New(t, mailtest.Plain)
		h := mailHub(t, dialect, srv)
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		u := acme.Admin
		h.Exec(`UPDATE users SET locale = 'en' WHERE id = $1`, u.UserID)
		ask := func(email string) *apptest.Resp {
			return h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/password-reset", Body: map[string]string{"email": email}}).Expect(t, 202)
		}
		unknown := ask("nobody@example.test")
		known := ask(strings.ToUpper(u.Email))
		if string(unknown.Body) != string(known.Body) {
			t.Errorf("answers differ: %s vs %s", unknown.Body, known.Body)
		}
		m := awaitMail(t, srv, u.Email, 2) // after the invitation that made the admin
		apptest.Eventually(t, "both reset requests worked", func() bool {
			return h.Count(`SELECT count(*) FROM river_job WHERE kind = 'iam.password_reset' AND state = 'completed'`) == 2
		})
		if len(srv.To("nobody@example.test")) != 0 {
			t.Error("an unknown address was mailed")
		}
		if m.Subject != "WhatPro Hub password reset" || !strings.Contains(m.Text, "Choose a new password") {
			t.Errorf("mail in the user's language: %q / %q", m.Subject, m.Text)
		}
		tok := apptest.LinkToken(t, m.Link())
		const fresh = "a-brand-new-passphrase-4"
		apptest.Run(t, h, []apptest.Scenario{
			{Name: "weak", Method: "POST", Path: "/api/v1/auth/password-reset/confirm", Body: map[string]string{"token": tok, "password": "password123"},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"password"`}},
			{Name: "reset", Method: "POST", Path: "/api/v1/auth/password-reset/confirm", Body: map[string]string{"token": tok, "password": fresh}, Status: 204},
			{Name: "once", Method: "POST", Path: "/api/v1/auth/password-reset/confirm", Body: map[string]string{"token": tok, "password": fresh + "x"},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"token"`}},
			{Name: "old session ended", Method: "GET", Path: "/api/v1/me", Header: apptest.Bearer(u.Token), Status: 401, Code: "SESSION_REVOKED"},
			{Name: "old password", Method: "POST", Path: "/api/v1/auth/login", Body: login(u.Email, apptest.Password), Status: 401, Code: "UNAUTHORIZED"},
		})
		h.Login(u.Email, fresh)
	})
}

// Without SMTP a reset cannot be mailed: the hub says so, the same for every address.
func TestPasswordResetNeedsMail(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		for _, email := range []string{apptest.SuperEmail, "nobody@example.test"} {
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/password-reset", Body: map[string]string{"email": email}}).
				ExpectError(t, 503, "UNAVAILABLE")
		}
	})
}
