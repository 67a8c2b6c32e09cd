package alerts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/alerts"
	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/mail/mailtest"
	"github.com/whatpro/hub/internal/usage"
)

// quotaFixture is a hub whose clock the test moves (to reach next month).
type quotaFixture struct {
	*fixture
	clock *apptest.Clock
	super *apptest.Session
	plan  string
}

func setupQuota(t *testing.T, dialect string) *quotaFixture {
	t.Helper()
	srv := mailtest.New(t, mailtest.Plain)
	clock := apptest.NewClock()
	h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_SMTP_URL="+srv.URL("smtp"),
		"WHATPRO_MAIL_FROM=WhatPro Hub <hub@example.test>"), AppOpts: app.Options{Now: clock.Now}})
	h.Mailbox = srv
	super := h.LoginSuper()
	q := &quotaFixture{fixture: &fixture{h: h, ten: h.NewTenant(super, "Acme"), srv: srv}, clock: clock, super: super}
	plans := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/plans", Token: super.Token}).Expect(t, 200).JSON(t)["data"].([]any)
	q.plan = plans[0].(map[string]any)["id"].(string)
	return q
}

// limit sets the account's max_messages_per_month.
func (q *quotaFixture) limit(t *testing.T, n int) {
	t.Helper()
	q.h.Do(apptest.Req{Method: "PUT", Path: "/api/v1/accounts/" + q.ten.ID + "/plan", Token: q.super.Token,
		Body: map[string]any{"plan_id": q.plan, "overrides": map[string]int{"max_messages_per_month": n}}}).Expect(t, 200)
}

// messages counts n messages in and out through the usage meter, as the
// gateway does, and flushes them.
func (q *quotaFixture) messages(t *testing.T, in, out int64) {
	t.Helper()
	q.h.App.Usage.Add(q.ten.ID, usage.MessagesIn, in)
	q.h.App.Usage.Add(q.ten.ID, usage.MessagesOut, out)
	if err := q.h.App.Usage.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func mailsWith(srv *mailtest.Server, to, subject string) []mailtest.Mail {
	var out []mailtest.Mail
	for _, m := range srv.To(to) {
		if strings.HasPrefix(m.Subject, subject) {
			out = append(out, m)
		}
	}
	return out
}

const (
	nearSubject = "80% do limite mensal de mensagens usado em Acme"
	overSubject = "Limite mensal de mensagens atingido em Acme"
)

// An account past 80% of its monthly message limit warns its admins once;
// at the limit it is a second incident (the first closes) whose mail says
// the limit, the count, what still works and what to do; checking again
// sends nothing; a raised limit closes it, and so does the next month.
// Agents are never mailed.
func TestIncidentMessagesOverLimit(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		q := setupQuota(t, dialect)
		admin := q.ten.Admin
		agent := q.h.NewMember(admin.Token, q.ten.ID, "agent")
		month := q.clock.Now().UTC().Format("2006-01")
		q.limit(t, 10)

		// 7 of 10: nothing yet.
		q.messages(t, 5, 2)
		q.check(t)
		if got := q.incidents(t); len(got) != 0 {
			t.Fatalf("incidents at 70%%: %v", got)
		}

		// 8 of 10: the warning.
		q.messages(t, 1, 0)
		q.check(t)
		got := q.incidents(t)
		if len(got) != 1 || got[0]["kind"] != alerts.KindMessagesNearLimit || got[0]["subject_id"] != month ||
			got[0]["detail"] != "8/10" || got[0]["notified_at"] == nil {
			t.Fatalf("incidents at 80%%: %v", got)
		}
		near := got[0]["id"]
		apptest.Eventually(t, "the warning mail", func() bool { return len(mailsWith(q.srv, admin.Email, nearSubject)) == 1 })
		if m := mailsWith(q.srv, admin.Email, nearSubject)[0]; !strings.Contains(m.Text, "já usou 8 das 10 mensagens por mês") {
			t.Fatalf("warning mail: %s", m.Text)
		}

		// 10 of 10: over the limit; the warning closes.
		q.messages(t, 1, 1)
		q.check(t)
		got = q.incidents(t)
		if len(got) != 1 || got[0]["kind"] != alerts.KindMessagesOverLimit || got[0]["subject_id"] != month ||
			got[0]["subject_name"] != month || got[0]["detail"] != "10/10" || got[0]["notified_at"] == nil {
			t.Fatalf("incidents at the limit: %v", got)
		}
		over := got[0]["id"]
		if n := q.h.Count(`SELECT count(*) FROM incidents WHERE id = $1 AND closed_at IS NOT NULL`, near); n != 1 {
			t.Fatal("the warning is still open over the limit")
		}
		apptest.Eventually(t, "the limit mail", func() bool { return len(mailsWith(q.srv, admin.Email, overSubject)) == 1 })
		m := mailsWith(q.srv, admin.Email, overSubject)[0]
		for _, want := range []string{"limite do plano de 10 mensagens por mês: 10 mensagens em " + month,
			"mensagens dos clientes continuam chegando ao Chatwoot", "respostas dos agentes não são enviadas",
			"aumente o limite do plano ou aguarde o início do próximo mês", strings.TrimSuffix(q.h.URL, "/") + "/"} {
			if !strings.Contains(m.Text, want) {
				t.Fatalf("the limit mail lacks %q:\n%s", want, m.Text)
			}
		}

		// Still over (and more): nothing new.
		q.messages(t, 3, 0)
		q.check(t)
		if got := q.incidents(t); len(got) != 1 || got[0]["id"] != over {
			t.Fatalf("incidents after a second check: %v", got)
		}
		if n := q.h.Count(`SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND CAST(args AS TEXT) LIKE '%messages_over_limit%'`); n != 1 {
			t.Fatalf("%d limit mails queued", n)
		}
		if len(mailsWith(q.srv, agent.Email, nearSubject))+len(mailsWith(q.srv, agent.Email, overSubject)) != 0 || q.h.Count(`SELECT count(*) FROM river_job WHERE kind = 'mail.send'
			AND CAST(args AS TEXT) LIKE $1 AND CAST(args AS TEXT) LIKE '%messages_%'`, "%"+agent.Email+"%") != 0 {
			t.Fatal("the agent was mailed")
		}
		q.do(t, agent.Token, "GET", "/incidents", nil).ExpectError(t, 403, "FORBIDDEN")

		// The plan raised far above the use: closed, and no warning either.
		q.limit(t, 1000)
		q.check(t)
		if got := q.incidents(t); len(got) != 0 {
			t.Fatalf("open once the limit is raised: %v", got)
		}
		if n := q.h.Count(`SELECT count(*) FROM incidents WHERE id = $1 AND closed_at IS NOT NULL`, over); n != 1 {
			t.Fatal("the limit incident is not closed")
		}

		// Over again, then a new month: the month's incident closes.
		q.limit(t, 5)
		q.check(t)
		if n := q.h.Count(`SELECT count(*) FROM incidents WHERE account_id = $1 AND kind = $2 AND closed_at IS NULL`,
			q.ten.ID, alerts.KindMessagesOverLimit); n != 1 {
			t.Fatalf("%d open limit incidents after the limit went down", n)
		}
		now := q.clock.Now().UTC()
		q.clock.Advance(time.Date(now.Year(), now.Month()+1, 1, 0, 1, 0, 0, time.UTC).Sub(now))
		if err := q.h.App.Alerts.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := q.h.Count(`SELECT count(*) FROM incidents WHERE account_id = $1 AND closed_at IS NULL`, q.ten.ID); n != 0 {
			t.Fatalf("%d incidents open in the new month", n)
		}
	})
}
