package iam_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/config"
	"github.com/whatpro/hub/internal/iam"
)

func TestBootstrapDevelopmentAdmin(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := apptest.New(t, dialect, apptest.Options{}) // no bootstrap settings
		file := filepath.Join(h.App.Cfg.DataDir, iam.BootstrapFile)
		st, err := os.Stat(file)
		must(t, err)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", file, st.Mode().Perm())
		}
		raw, err := os.ReadFile(file)
		must(t, err)
		pw := strings.TrimSpace(string(raw))
		if len(pw) < 20 {
			t.Fatalf("generated password %q is too short", pw)
		}
		logs := h.Logs.String()
		if !strings.Contains(logs, file) || !strings.Contains(logs, iam.DevAdminEmail) {
			t.Errorf("the log does not say where the password is: %s", logs)
		}
		h.AssertLogsFree(t, pw)
		s := h.Login(iam.DevAdminEmail, pw)
		h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts", Token: s.Token, Body: map[string]string{"name": "Mine"}}).Expect(t, 201)
	})
}

func TestBootstrapProductionCreatesNobody(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := apptest.New(t, dialect, apptest.Options{Env: []string{"WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=https://hub.example.com"}})
		if n := h.Count(`SELECT count(*) FROM users`); n != 0 {
			t.Fatalf("%d users created in production without bootstrap settings", n)
		}
		if !strings.Contains(h.Logs.String(), "whatpro user create") {
			t.Errorf("the log does not say how to create the first admin: %s", h.Logs.String())
		}
		if _, err := os.Stat(filepath.Join(h.App.Cfg.DataDir, iam.BootstrapFile)); !os.IsNotExist(err) {
			t.Errorf("a password file was written in production: %v", err)
		}
	})
}

func TestBootstrapOnlyOnAnEmptyUserTable(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		env := append(h.Environ(), "WHATPRO_BOOTSTRAP_ADMIN_EMAIL=second@hub.test", "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=second-passphrase-1")
		cfg, err := config.Load(env)
		must(t, err)
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
		must(t, err)
		a.Close()
		if n := h.Count(`SELECT count(*) FROM users`); n != 1 {
			t.Fatalf("%d users after a second start, want the first admin only", n)
		}
	})
}

func TestBootstrapRefusesAWeakPassword(t *testing.T) {
	t.Parallel()
	env := []string{"WHATPRO_DATA_DIR=" + t.TempDir(), "WHATPRO_SECRET_KEYS=" + apptest.TestKeys,
		"WHATPRO_BOOTSTRAP_ADMIN_EMAIL=root@hub.test", "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=password123"}
	cfg, err := config.Load(env)
	must(t, err)
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err == nil {
		a.Close()
		t.Fatal("a common bootstrap password was accepted")
	}
	if !strings.Contains(err.Error(), iam.PasswordRule) || strings.Contains(err.Error(), "password123") {
		t.Fatalf("error %q: want the rule, without the password", err)
	}
}
