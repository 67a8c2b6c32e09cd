package mail_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/mail"
	"github.com/whatpro/hub/internal/mail/mailtest"
)

// The client speaks to a real SMTP server: STARTTLS for smtp://, TLS from the start for
// smtps://, plain only to a server on this machine; it logs in, and the message arrives with
// its subject and both parts in UTF-8.
func TestSenderDeliversOverEachTransport(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, scheme string
		mode         mailtest.Mode
		tls          bool
	}{
		{"starttls", "smtp", mailtest.StartTLS, true},
		{"implicit tls", "smtps", mailtest.Implicit, true},
		{"loopback without tls", "smtp", mailtest.Plain, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := mailtest.New(t, c.mode)
			s, err := mail.NewSender(mail.Config{URL: srv.URL(c.scheme), From: "WhatPro Hub <hub@example.test>",
				TLS: &tls.Config{RootCAs: srv.CertPool}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := mail.Render(mail.KindReset, "pt-BR", "ana@example.test", mail.Data{Link: "https://hub.example/reset-password#token=abc", ValidFor: "1 hora"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.To("ana@example.test")
			if len(got) != 1 {
				t.Fatalf("received %d mails", len(got))
			}
			g := got[0]
			if g.Subject != "Redefinição de senha do WhatPro Hub" || g.TLS != c.tls || g.Authed != "hub" || g.From != "hub@example.test" {
				t.Errorf("mail: subject %q tls %v authed %q from %q", g.Subject, g.TLS, g.Authed, g.From)
			}
			if g.Link() != "https://hub.example/reset-password#token=abc" || !strings.Contains(g.HTML, `href="https://hub.example/reset-password#token=abc"`) ||
				!strings.Contains(g.Text, "Escolha uma nova senha") {
				t.Errorf("body: %q / %q", g.Text, g.HTML)
			}
		})
	}
}

// Credentials never cross a network in clear: a server without STARTTLS is refused unless it
// is on this machine, and a server that is not the one it claims (untrusted certificate) too.
func TestSenderRefusesInsecureTransport(t *testing.T) {
	t.Parallel()
	srv := mailtest.New(t, mailtest.StartTLS)
	s, err := mail.NewSender(mail.Config{URL: srv.URL("smtp"), From: "hub@example.test"}) // the system roots do not trust it
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mail.Render(mail.KindReset, "en", "ana@example.test", mail.Data{Link: "https://hub.example/x"})
	if err := s.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("an untrusted certificate was accepted: %v", err)
	}
	if len(srv.Mails()) != 0 {
		t.Error("the message went out")
	}
	for _, bad := range []string{"http://x", "smtp://", "smtp://h/path", "smtp://h?x=1", "mailto:a@b"} {
		if _, err := mail.NewSender(mail.Config{URL: bad, From: "hub@example.test"}); err == nil {
			t.Errorf("URL %q accepted", bad)
		}
	}
	if _, err := mail.NewSender(mail.Config{URL: "smtp://h", From: "not an address"}); err == nil {
		t.Error("a bad From accepted")
	}
}

// Every message exists in both locales, as text and HTML, and carries its link.
func TestMessagesInBothLocales(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{mail.KindInvitation, mail.KindReset} {
		for _, loc := range []string{"pt-BR", "en", "en-US", ""} {
			m, err := mail.Render(kind, loc, "a@b.test", mail.Data{Link: "https://hub/x#token=t", AccountName: "Acme <b>", InviterName: "Ana", Role: "agent", ValidFor: "72 h"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Text, "https://hub/x#token=t") || !strings.Contains(m.HTML, "https://hub/x#token=t") || m.Subject == "" {
				t.Errorf("%s/%s: %+v", kind, loc, m)
			}
			if kind == mail.KindInvitation && (strings.Contains(m.HTML, "<b>") || !strings.Contains(m.HTML, "Acme &lt;b&gt;")) {
				t.Errorf("%s/%s: the account name is not escaped in HTML", kind, loc)
			}
		}
	}
}

// Each kind of incident has its own subject and text in both locales, with
// the account and the resource (escaped in HTML).
func TestIncidentMessages(t *testing.T) {
	t.Parallel()
	want := map[string][2]string{ // kind: pt-BR subject, en subject
		"number_down":         {"Número Loja <b> desconectado em Acme", "Number Loja <b> disconnected on Acme"},
		"dead_letters":        {"Mensagens não entregues em Acme", "Undelivered messages on Acme"},
		"link_failing":        {"Falha na conexão com o Chatwoot em Acme", "The Chatwoot link is failing on Acme"},
		"messages_over_limit": {"Limite mensal de mensagens atingido em Acme", "Monthly message limit reached on Acme"},
		"messages_near_limit": {"80% do limite mensal de mensagens usado em Acme", "80% of the monthly message limit used on Acme"},
	}
	for kind, subjects := range want {
		for i, loc := range []string{"pt-BR", "en"} {
			m, err := mail.Render(mail.KindIncident, loc, "a@b.test", mail.Data{Link: "https://hub/", AccountName: "Acme", Incident: kind, Resource: "Loja <b>",
				Used: 812, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != subjects[i] || !strings.Contains(m.Text, "https://hub/") || !strings.Contains(m.Text, "Acme") {
				t.Errorf("%s/%s: %q\n%s", kind, loc, m.Subject, m.Text)
			}
			if strings.Contains(m.HTML, "<b>") {
				t.Errorf("%s/%s: the resource is not escaped in HTML", kind, loc)
			}
			if strings.HasPrefix(kind, "messages_") && (!strings.Contains(m.Text, "812") || !strings.Contains(m.Text, "1000")) {
				t.Errorf("%s/%s: the mail lacks the count or the limit:\n%s", kind, loc, m.Text)
			}
		}
	}
}
