package alerts_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/alerts"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/mail/mailtest"
	"github.com/whatpro/hub/internal/provider/providersim"
)

type fixture struct {
	h      *apptest.Hub
	ten    *apptest.Tenant
	srv    *mailtest.Server
	evo    *providersim.Evolution
	evoURL string
}

func setup(t *testing.T, dialect string) *fixture {
	t.Helper()
	srv := mailtest.New(t, mailtest.Plain)
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_SMTP_URL="+srv.URL("smtp"),
		"WHATPRO_MAIL_FROM=WhatPro Hub <hub@example.test>")})
	h.Mailbox = srv
	f := &fixture{h: h, ten: h.NewTenant(h.LoginSuper(), "Acme"), srv: srv}
	evo := providersim.NewEvolution(providersim.Options{})
	s := httptest.NewServer(evo.Handler())
	t.Cleanup(s.Close)
	evo.SetBaseURL(s.URL)
	f.evo, f.evoURL = evo, s.URL
	return f
}

func (f *fixture) do(t *testing.T, token, method, path string, body any) *apptest.Resp {
	t.Helper()
	return f.h.Do(apptest.Req{Method: method, Path: "/api/v1/accounts/" + f.ten.ID + path, Token: token, Body: body})
}

func (f *fixture) sim(t *testing.T, path, body string) {
	t.Helper()
	res, err := http.Post(f.evoURL+"/_sim/instances/"+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("sim %s = %d %s", path, res.StatusCode, raw)
	}
}

func (f *fixture) status(t *testing.T, iid string) map[string]any {
	t.Helper()
	return f.do(t, f.ten.Admin.Token, "GET", "/provider-instances/"+iid, nil).Expect(t, 200).JSON(t)
}

// connect connects the number and scans its QR code.
func (f *fixture) connect(t *testing.T, iid, name string) {
	t.Helper()
	f.do(t, f.ten.Admin.Token, "POST", "/provider-instances/"+iid+"/connect", nil).Expect(t, 202)
	apptest.Eventually(t, "a QR code", func() bool {
		return f.do(t, f.ten.Admin.Token, "GET", "/provider-instances/"+iid+"/qr", nil).JSON(t)["qr_code"] != nil
	})
	f.sim(t, name+"/scan", "")
	apptest.Eventually(t, "connected", func() bool { return f.status(t, iid)["status"] == "connected" })
}

// logout is the phone ending the session (Baileys' 401).
func (f *fixture) logout(t *testing.T, iid, name string) {
	t.Helper()
	f.sim(t, name+"/disconnect", `{"status_reason":401}`)
	apptest.Eventually(t, "logged out", func() bool { return f.status(t, iid)["disconnect_reason"] == "logged_out" })
}

// check runs the alerts check once and waits for that job to finish.
func (f *fixture) check(t *testing.T) {
	t.Helper()
	var id int64
	err := f.h.App.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		res, err := f.h.App.Jobs.InsertTx(context.Background(), tx, alerts.CheckArgs{}, nil)
		if err == nil {
			id = res.Job.ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	apptest.Eventually(t, "the alerts check", func() bool {
		return f.h.Count(`SELECT count(*) FROM river_job WHERE id = $1 AND state = 'completed'`, id) == 1
	})
}

func (f *fixture) incidents(t *testing.T) []map[string]any {
	t.Helper()
	var out struct {
		Data []map[string]any `json:"data"`
	}
	f.do(t, f.ten.Admin.Token, "GET", "/incidents", nil).Expect(t, 200).Decode(t, &out)
	return out.Data
}

func incidentMails(srv *mailtest.Server, to string) []mailtest.Mail {
	var out []mailtest.Mail
	for _, m := range srv.To(to) {
		if strings.Contains(m.Subject, "desconectado") {
			out = append(out, m)
		}
	}
	return out
}

// A number the phone logs out opens one incident and mails the admin once
// (not the agent); checking again while it is down sends nothing more;
// reconnected it closes; a new drop is a new incident and a new e-mail.
func TestNumberDownIsOneIncidentAndOneMail(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		admin := f.ten.Admin
		agent := f.h.NewMember(admin.Token, f.ten.ID, "agent")
		pid := f.do(t, admin.Token, "POST", "/providers", map[string]any{"name": "Evo", "type": "evolution", "base_url": f.evoURL,
			"credentials": map[string]string{"api_key": f.evo.APIKey()}}).Expect(t, 201).JSON(t)["id"].(string)
		iid := f.do(t, admin.Token, "POST", "/provider-instances", map[string]any{"provider_id": pid, "name": "loja",
			"display_name": "Loja Norte"}).Expect(t, 201).JSON(t)["id"].(string)

		// Never connected: not an incident.
		f.check(t)
		if got := f.incidents(t); len(got) != 0 {
			t.Fatalf("a number never connected is an incident: %v", got)
		}
		f.connect(t, iid, "loja")
		f.logout(t, iid, "loja")
		f.check(t)
		got := f.incidents(t)
		if len(got) != 1 || got[0]["kind"] != "number_down" || got[0]["subject_id"] != iid || got[0]["subject_name"] != "Loja Norte" ||
			got[0]["detail"] != "logged_out" || got[0]["notified_at"] == nil {
			t.Fatalf("incidents after the drop: %v", got)
		}
		apptest.Eventually(t, "the admin's incident mail", func() bool { return len(incidentMails(f.srv, admin.Email)) == 1 })
		m := incidentMails(f.srv, admin.Email)[0]
		if m.Subject != "Número Loja Norte desconectado em Acme" || !strings.Contains(m.Text, "administrar a conta Acme") ||
			!strings.Contains(m.Text, strings.TrimSuffix(f.h.URL, "/")+"/") {
			t.Fatalf("mail: %q\n%s", m.Subject, m.Text)
		}
		// Agents neither get the mail nor see the incidents.
		f.do(t, agent.Token, "GET", "/incidents", nil).ExpectError(t, 403, "FORBIDDEN")

		// Still down: the next check opens nothing and mails nobody.
		f.check(t)
		if got := f.incidents(t); len(got) != 1 || got[0]["id"] != f.incidents(t)[0]["id"] {
			t.Fatalf("incidents after a second check: %v", got)
		}
		if n := f.h.Count(`SELECT count(*) FROM incidents WHERE account_id = $1`, f.ten.ID); n != 1 {
			t.Fatalf("%d incidents", n)
		}
		first := got[0]["id"]

		// Reconnected: closed.
		f.connect(t, iid, "loja")
		f.check(t)
		if got := f.incidents(t); len(got) != 0 {
			t.Fatalf("open after the reconnection: %v", got)
		}
		if n := f.h.Count(`SELECT count(*) FROM incidents WHERE id = $1 AND closed_at IS NOT NULL`, first); n != 1 {
			t.Fatal("the incident is not closed")
		}

		// Down again: a new incident, a second mail.
		f.logout(t, iid, "loja")
		f.check(t)
		if got := f.incidents(t); len(got) != 1 || got[0]["id"] == first {
			t.Fatalf("incidents after the second drop: %v", got)
		}
		apptest.Eventually(t, "the second incident mail", func() bool { return len(incidentMails(f.srv, admin.Email)) >= 2 })
		if n := len(incidentMails(f.srv, admin.Email)); n != 2 {
			t.Fatalf("%d incident mails to the admin", n)
		}
		if n := len(incidentMails(f.srv, agent.Email)); n != 0 ||
			f.h.Count(`SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND CAST(args AS TEXT) LIKE $1 AND CAST(args AS TEXT) LIKE $2`,
				"%"+agent.Email+"%", "%number_down%") != 0 {
			t.Fatal("the agent was mailed")
		}
		f.h.AssertLogsFree(t, f.evo.APIKey(), f.srv.Password)
	})
}

// Dead gateway work opens one incident even when checks run at once (the
// open incident is unique on both databases), mailed once with the count;
// it closes when no dead item is left.
func TestDeadLettersIncidentIsOpenedOnceByConcurrentChecks(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		for range 2 {
			f.h.Exec(`INSERT INTO gateway_work (id, account_id, instance_id, lane, seq, dedupe_key, kind, payload, status, last_error,
				next_at, created_at, updated_at) VALUES ($1, $2, 'inst', 'in:inst:1', '1', $1, 'inbound', '{}', 'dead', 'boom', $3, $3, $3)`,
				db.NewID(), f.ten.ID, db.Now())
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); errs <- f.h.App.Alerts.Check(context.Background()) }()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := f.incidents(t)
		if len(got) != 1 || got[0]["kind"] != "dead_letters" || got[0]["detail"] != "2" || got[0]["notified_at"] == nil {
			t.Fatalf("incidents: %v", got)
		}
		if n := f.h.Count(`SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND CAST(args AS TEXT) LIKE '%dead_letters%'`); n != 1 {
			t.Fatalf("%d incident mails queued", n)
		}
		apptest.Eventually(t, "the mail", func() bool {
			for _, m := range f.srv.To(f.ten.Admin.Email) {
				if m.Subject == "Mensagens não entregues em Acme" && strings.Contains(m.Text, "tem 2 mensagem(ns)") {
					return true
				}
			}
			return false
		})
		f.h.Exec(`UPDATE gateway_work SET status = 'done' WHERE account_id = $1`, f.ten.ID)
		f.check(t)
		if got := f.incidents(t); len(got) != 0 {
			t.Fatalf("open once no dead item is left: %v", got)
		}
	})
}

// A Chatwoot link that needs attention is an incident named by its site
// only (no path, no credentials), mailed once; healthy again, it closes.
func TestFailingLinkIncident(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		linkID := db.NewID()
		f.h.Exec(`INSERT INTO chatwoot_links (id, account_id, origin, base_url, chatwoot_account_id, api_token, status, last_error,
			created_at, updated_at) VALUES ($1, $2, 'https://cw.example.test', 'https://agent:pw-secret@cw.example.test/app', 7, 'sealed',
			'needs_attention', 'token-secret refused', $3, $3)`, linkID, f.ten.ID, db.Now())
		f.check(t)
		got := f.incidents(t)
		if len(got) != 1 || got[0]["kind"] != "link_failing" || got[0]["subject_id"] != linkID ||
			got[0]["subject_name"] != "https://cw.example.test" {
			t.Fatalf("incidents: %v", got)
		}
		var m mailtest.Mail
		apptest.Eventually(t, "the mail", func() bool {
			for _, x := range f.srv.To(f.ten.Admin.Email) {
				if strings.HasPrefix(x.Subject, "Falha na conexão com o Chatwoot") {
					m = x
					return true
				}
			}
			return false
		})
		if !strings.Contains(m.Text, "https://cw.example.test") || strings.Contains(m.Text+m.HTML, "secret") {
			t.Fatalf("mail: %s", m.Text)
		}
		f.h.Exec(`UPDATE chatwoot_links SET status = 'ok' WHERE id = $1`, linkID)
		f.check(t)
		if got := f.incidents(t); len(got) != 0 {
			t.Fatalf("open once the link is healthy: %v", got)
		}
		f.h.AssertLogsFree(t, "pw-secret", "token-secret")
	})
}
