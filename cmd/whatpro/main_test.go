package main

import (
	"bytes"
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/version"
)

// cli runs the binary's run() with env and stdin, returning its output.
func cli(t *testing.T, env []string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, env, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func each(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		fn(t, dialect)
	})
}

func TestAuditVerify(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		acme := h.NewTenant(h.LoginSuper(), "Acme")
		h.NewMember(acme.Admin.Token, acme.ID, "agent")
		env := h.Environ()

		out, _, err := cli(t, env, "", "audit", "verify")
		if err != nil {
			t.Fatalf("clean log: %v\n%s", err, out)
		}
		if !strings.Contains(out, "ok      chain "+acme.ID) || !strings.Contains(out, "ok      chain hub") || strings.Contains(out, "BROKEN") {
			t.Fatalf("clean log output: %s", out)
		}

		var id string
		must(t, h.App.DB.R.QueryRowContext(context.Background(),
			`SELECT id FROM audit_logs WHERE chain_id = $1 AND seq = 2`, acme.ID).Scan(&id))
		h.Exec(`UPDATE audit_logs SET action = 'user.removed' WHERE id = $1`, id)
		out, _, err = cli(t, env, "", "audit", "verify")
		if err == nil {
			t.Fatalf("an edited row verified: %s", out)
		}
		want := "BROKEN  chain " + acme.ID + ": first broken row seq 2 id " + id
		if !strings.Contains(out, want) || !strings.Contains(out, "ok      chain hub") {
			t.Fatalf("output does not name the edited row (%q): %s", want, out)
		}

		// Removing the newest row of a chain is caught too.
		h.Exec(`DELETE FROM audit_logs WHERE chain_id = 'hub' AND seq = (SELECT max(seq) FROM audit_logs WHERE chain_id = 'hub')`)
		out, _, err = cli(t, env, "", "audit", "verify")
		if err == nil || !strings.Contains(out, "BROKEN  chain hub") || !strings.Contains(out, "newest rows were removed") {
			t.Fatalf("a removed newest row went unnoticed: %v\n%s", err, out)
		}
	})
}

func TestUserCommands(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := apptest.New(t, dialect, apptest.Options{Env: apptest.SuperAdminEnv()})
		env := h.Environ()
		const pw, pw2 = "cli-made-passphrase-1", "cli-reset-passphrase-2"

		out, errOut, err := cli(t, env, pw+"\n", "user", "create", "--email", "Ops@Example.test", "--name", "Ops", "--super-admin")
		if err != nil || !strings.Contains(out, "created user ops@example.test") {
			t.Fatalf("user create: %v\n%s%s", err, out, errOut)
		}
		for _, s := range []string{out, errOut} {
			if strings.Contains(s, pw) {
				t.Fatal("the password was printed")
			}
		}
		ops := h.Login("ops@example.test", pw)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts", Token: ops.Token, Body: map[string]string{"name": "By Ops"}}).Expect(t, 201)

		for _, tc := range []struct {
			name  string
			stdin string
			args  []string
			want  string
		}{
			{"weak password", "password123\n", []string{"user", "create", "--email", "weak@example.test", "--name", "W"}, "passwords need at least 10 characters"},
			{"no email", pw + "\n", []string{"user", "create", "--name", "N"}, "--email is required"},
			{"no name", pw + "\n", []string{"user", "create", "--email", "n@example.test"}, "--name is required"},
			{"taken email", pw + "\n", []string{"user", "create", "--email", "ops@example.test", "--name", "Again"}, "conflict"},
			{"unknown user", pw2 + "\n", []string{"user", "set-password", "--email", "nobody@example.test"}, "no user with email nobody@example.test"},
			{"weak reset", "short\n", []string{"user", "set-password", "--email", "ops@example.test"}, "passwords need at least 10 characters"},
			{"unknown subcommand", "", []string{"user", "delete", "--email", "ops@example.test"}, "unknown user command"},
		} {
			_, _, err := cli(t, env, tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
			}
		}
		if n := h.Count(`SELECT count(*) FROM users`); n != 2 {
			t.Errorf("%d users after the refused commands, want 2", n)
		}

		// set-password reads stdin (CRLF too), ends every session, and the
		// old password stops working.
		out, _, err = cli(t, env, pw2+"\r\n", "user", "set-password", "--email", "ops@example.test")
		if err != nil || !strings.Contains(out, "password changed") {
			t.Fatalf("set-password: %v %s", err, out)
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: ops.Token}).ExpectError(t, 401, "SESSION_REVOKED")
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": "ops@example.test", "password": pw}}).ExpectError(t, 401, "UNAUTHORIZED")
		h.Login("ops@example.test", pw2)
		h.AssertLogsFree(t, pw, pw2)
	})
}

func TestMigrateStatusVersionConfig(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := apptest.New(t, dialect, apptest.Options{NoServer: true})
		env := h.Environ()

		out, _, err := cli(t, env, "", "migrate", "--status")
		must(t, err)
		if !regexp.MustCompile(`(?m)^hub   0001_\S+\s+applied \d{4}-`).MatchString(out) || strings.Contains(out, "pending") || !strings.Contains(out, "river ") {
			t.Errorf("migrate --status: %s", out)
		}
		out, _, err = cli(t, env, "", "migrate")
		if err != nil || !strings.Contains(out, "migrations are current") {
			t.Errorf("migrate: %v %s", err, out)
		}
		if _, _, err := cli(t, env, "", "migrate", "--bogus"); err == nil {
			t.Error("migrate accepted an unknown flag")
		}

		out, _, err = cli(t, nil, "", "version")
		if err != nil || !strings.HasPrefix(out, "whatpro "+version.Get().Version) {
			t.Errorf("version: %v %q", err, out)
		}

		withSecrets := append(env, "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=bootstrap-secret-value-1", "WHATPRO_METRICS_TOKEN=metrics-secret-value")
		out, _, err = cli(t, withSecrets, "", "config")
		must(t, err)
		key := strings.SplitN(apptest.TestKeys, ":", 2)[1]
		for _, secret := range []string{key, apptest.TestKeys, "bootstrap-secret-value-1", "metrics-secret-value"} {
			if strings.Contains(out, secret) {
				t.Errorf("config printed a secret (%.8s…): %s", secret, out)
			}
		}
		if u := h.App.Cfg.DatabaseURL; u != "" {
			if parsed, _ := url.Parse(u); strings.Contains(out, parsed.Host+parsed.Path) {
				t.Errorf("config printed the database URL: %s", out)
			}
		}
		for _, want := range []string{`WHATPRO_SECRET_KEYS="[redacted]"`, `WHATPRO_BOOTSTRAP_ADMIN_PASSWORD="[redacted]"`, `WHATPRO_DATA_DIR="` + h.App.Cfg.DataDir + `"`} {
			if !strings.Contains(out, want) {
				t.Errorf("config lacks %s: %s", want, out)
			}
		}

		if _, _, err := cli(t, env, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
			t.Errorf("unknown command: %v", err)
		}
		if _, _, err := cli(t, env, "", "audit", "nope"); err == nil {
			t.Error("audit accepted an unknown subcommand")
		}
		if _, _, err := cli(t, append(env, "WHATPRO_TYPO=1"), "", "migrate", "--status"); err == nil || !strings.Contains(err.Error(), "WHATPRO_TYPO") {
			t.Errorf("an unknown variable was accepted: %v", err)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
