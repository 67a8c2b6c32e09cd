package iam_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// Failed logins cost the same whether the email exists or not, proven by counting the work, not
// by timing it: on every failing path the password hash runs exactly once and the same rows are
// written (the attempt and the job that audits it), so nothing in the answer's cost tells an
// existing email from an unknown one. (Timings are BenchmarkLoginFailure's business.)
func TestFailedLoginsDoEqualWork(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		known := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		withTOTP := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		enableTOTP(t, h, withTOTP)
		disabled := h.NewMember(acme.Admin.Token, acme.ID, "agent")
		h.Exec(`UPDATE users SET active = FALSE WHERE id = $1`, disabled.UserID)
		pending := h.Invite(acme.Admin.Token, acme.ID, apptest.UniqueEmail("pending"), "agent").Email
		// Jobs and the usage meter's flushes stand still, so what a login writes stays where it
		// was written and nothing else writes meanwhile.
		if err := h.App.Jobs.Stop(time.Second, time.Second); err != nil {
			t.Fatal(err)
		}
		must(t, h.App.Usage.Close(context.Background()))
		paths := []struct{ name, email, password string }{
			{"unknown email", "nobody-" + dialect + "@example.test", "wrong-password-1"},
			{"wrong password", known.Email, "wrong-password-1"},
			{"wrong password, second factor on", withTOTP.Email, "wrong-password-1"},
			{"disabled user, right password", disabled.Email, apptest.Password},
			{"user who never set a password", pending, "wrong-password-1"},
		}
		var first map[string]int
		for i, p := range paths {
			before, hashes := rowCounts(t, h), h.App.IAM.PasswordChecks()
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: login(p.email, p.password)}).
				ExpectError(t, 401, "UNAUTHORIZED")
			if n := h.App.IAM.PasswordChecks() - hashes; n != 1 {
				t.Errorf("%s: the password hash ran %d times, want once", p.name, n)
			}
			after := rowCounts(t, h)
			delta := map[string]int{}
			for table, n := range after {
				if d := n - before[table]; d != 0 {
					delta[table] = d
				}
			}
			if i == 0 {
				first = delta
				if delta["login_attempts"] != 1 || delta["river_job"] != 1 || delta["audit_logs"] != 0 || delta["sessions"] != 0 {
					t.Errorf("%s wrote %v, want one attempt and one job", p.name, delta)
				}
				continue
			}
			if !maps.Equal(delta, first) {
				t.Errorf("%s wrote %v, %s wrote %v", p.name, delta, paths[0].name, first)
			}
		}
	})
}

// rowCounts counts the rows of every table the hub writes to (usage counters, flushed on their
// own timer, are left out).
func rowCounts(t *testing.T, h *apptest.Hub) map[string]int {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if h.Dialect == "postgres" {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := h.App.DB.R.Query(q)
	must(t, err)
	var tables []string
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		// River's own bookkeeping (wake-up notifications, leader election) is the queue's
		// business and timing; the job row it inserts is counted.
		if !strings.HasPrefix(n, "usage") && (!strings.HasPrefix(n, "river_") || n == "river_job") {
			tables = append(tables, n)
		}
	}
	must(t, rows.Close())
	out := map[string]int{}
	for _, n := range tables {
		out[n] = h.Count(fmt.Sprintf(`SELECT count(*) FROM %q`, n))
	}
	return out
}
