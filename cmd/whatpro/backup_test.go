package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/backup"
	"github.com/whatpro/hub/internal/provider/providersim"
)

// evolutionSim is an Evolution server for providers created in these
// tests: a provider is saved only once its server accepted the key.
func evolutionSim(t *testing.T) (baseURL, apiKey string) {
	t.Helper()
	evo := providersim.NewEvolution(providersim.Options{})
	srv := httptest.NewServer(evo.Handler())
	t.Cleanup(srv.Close)
	return srv.URL, evo.APIKey()
}

const backupPass = "correct horse battery staple"

// Every restore, and every wrong passphrase, pays the scrypt cost once: at
// the production cost the refusal table alone takes a minute on a loaded
// machine. The cost is read from the file, so nothing else changes.
func init() { backup.WorkFactor = 12 }

// writer creates providers through the API until stopped; each one is a
// provider row and its audit row, written in one transaction.
type writer struct {
	h     *apptest.Hub
	acct  string
	token string
	evo   string // the Evolution server's base URL
	key   string // and its API key

	mu        sync.Mutex
	committed []string // ids whose 201 was received, in order
	err       error
}

func (w *writer) run(n int, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("w%d-%d", n, i), "type": "evolution", "base_url": w.evo,
			"credentials": map[string]string{"api_key": w.key}})
		req, _ := http.NewRequest("POST", w.h.URL+"/api/v1/accounts/"+w.acct+"/providers", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+w.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		var out struct{ ID string }
		if err == nil {
			err = json.NewDecoder(res.Body).Decode(&out)
			res.Body.Close()
			if err == nil && res.StatusCode != http.StatusCreated {
				err = fmt.Errorf("create provider: %d", res.StatusCode)
			}
		}
		w.mu.Lock()
		if err != nil {
			w.err = err
			w.mu.Unlock()
			return
		}
		w.committed = append(w.committed, out.ID)
		w.mu.Unlock()
	}
}

func (w *writer) snapshot() ([]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.committed...), w.err
}

// A backup taken while the API keeps writing restores into a fresh data
// dir as a consistent snapshot: every row committed before the backup
// began is there, no transaction is half there, the secrets open with the
// restored key ring, and the audit chains verify.
func TestBackupRestoreUnderWriteLoad(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{Env: apptest.SuperAdminEnv("WHATPRO_RATE_LIMIT_AUTH=1000000")})
	ten := h.NewTenant(h.LoginSuper(), "Acme")
	evoURL, evoKey := evolutionSim(t)
	w := &writer{h: h, acct: ten.ID, token: ten.Admin.Token, evo: evoURL, key: evoKey}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for n := range 4 {
		wg.Add(1)
		go w.run(n, stop, &wg)
	}
	defer func() { close(stop); wg.Wait() }()
	apptest.Eventually(t, "writers to commit 20 providers", func() bool {
		ids, err := w.snapshot()
		return len(ids) >= 20 || err != nil
	})
	before, err := w.snapshot()
	if err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "hub.whatpro")
	out, errOut, err := cli(t, append(h.Environ(), "WHATPRO_BACKUP_PASSPHRASE="+backupPass), "", "backup", "--to", file)
	if err != nil || !strings.Contains(out, "backup written to "+file) {
		t.Fatalf("backup: %v\n%s%s", err, out, errOut)
	}
	during, err := w.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(during) == len(before) {
		t.Log("no write completed while the backup ran (a slow machine); the snapshot is still checked")
	}
	raw, _ := os.ReadFile(file)
	if bytes.Contains(raw, []byte(strings.SplitN(apptest.TestKeys, ":", 2)[1])) || bytes.Contains(raw, []byte("SQLite format")) {
		t.Fatal("the backup file holds the key ring or the database in clear")
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %04o, want 0600", st.Mode().Perm())
	}

	// Restore into a data dir that does not exist yet, without
	// WHATPRO_SECRET_KEYS: the backup's ring becomes the dev key file.
	dir := filepath.Join(t.TempDir(), "restored")
	out, errOut, err = cli(t, []string{"WHATPRO_DATA_DIR=" + dir}, backupPass+"\n", "restore", "--from", file)
	if err != nil || !strings.Contains(out, "restored the backup") || !strings.Contains(out, "key ring (t1) was written to") {
		t.Fatalf("restore: %v\n%s%s", err, out, errOut)
	}
	if keys, _ := os.ReadFile(filepath.Join(dir, "secret-keys")); strings.TrimSpace(string(keys)) != apptest.TestKeys {
		t.Fatal("the restored key file is not the hub's ring")
	}
	h2 := apptest.New(t, "sqlite", apptest.Options{Env: []string{"WHATPRO_DATA_DIR=" + dir, "WHATPRO_SECRET_KEYS="}})

	restored := map[string]bool{}
	admin := h2.Login(ten.Admin.Email, ten.Admin.Password)
	for cursor := ""; ; {
		r := h2.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + ten.ID + "/providers?limit=200&cursor=" + cursor, Token: admin.Token}).Expect(t, 200)
		var page struct {
			Data       []struct{ ID string }
			Pagination struct {
				HasMore    bool   `json:"has_more"`
				NextCursor string `json:"next_cursor"`
			}
		}
		r.Decode(t, &page)
		for _, p := range page.Data {
			restored[p.ID] = true
		}
		if !page.Pagination.HasMore {
			break
		}
		cursor = page.Pagination.NextCursor
	}
	for _, id := range before {
		if !restored[id] {
			t.Errorf("provider %s was committed before the backup began but is not in the restored hub", id)
		}
	}
	final, _ := w.snapshot()
	t.Logf("providers committed: %d before the backup, %d when it returned, %d in all; %d restored", len(before), len(during), len(final), len(restored))
	if len(restored) < len(before) || len(restored) > len(final) {
		t.Errorf("%d providers restored; %d committed before the backup, %d in all", len(restored), len(before), len(final))
	}
	// No half-applied transaction: each provider has its audit row and
	// each audit row its provider.
	if n := h2.Count(`SELECT count(*) FROM providers p WHERE NOT EXISTS
		(SELECT 1 FROM audit_logs a WHERE a.action = 'provider.created' AND a.resource_id = p.id)`); n != 0 {
		t.Errorf("%d restored providers lack their audit row", n)
	}
	if n := h2.Count(`SELECT count(*) FROM audit_logs a WHERE a.action = 'provider.created' AND NOT EXISTS
		(SELECT 1 FROM providers p WHERE p.id = a.resource_id)`); n != 0 {
		t.Errorf("%d audit rows name a provider that was not restored", n)
	}
	if !strings.Contains(out, fmt.Sprintf("%d stored secrets open", 2*len(restored))) {
		t.Errorf("restore did not open every provider's two secrets (%d providers): %s", len(restored), out)
	}
	out, _, err = cli(t, h2.Environ(), "", "audit", "verify")
	if err != nil || !strings.Contains(out, "ok      chain "+ten.ID) || strings.Contains(out, "BROKEN") {
		t.Fatalf("audit verify on the restored hub: %v\n%s", err, out)
	}
	// The restored hub takes writes again.
	h2.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + ten.ID + "/providers", Token: admin.Token,
		Body: map[string]any{"name": "after-restore", "type": "evolution", "base_url": evoURL, "credentials": map[string]string{"api_key": evoKey}}}).Expect(t, 201)
}

// What restore and backup refuse, and that a refusal changes nothing.
func TestBackupRestoreRefusals(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, "sqlite", apptest.Options{Env: apptest.SuperAdminEnv()})
	h.NewTenant(h.LoginSuper(), "Acme")
	env := append(h.Environ(), "WHATPRO_BACKUP_PASSPHRASE="+backupPass)
	file := filepath.Join(t.TempDir(), "hub.whatpro")
	if _, _, err := cli(t, env, "", "backup", "--to", file); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	absent := filepath.Join(tmp, "absent")
	nonEmpty := filepath.Join(tmp, "used")
	if err := os.MkdirAll(nonEmpty, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nonEmpty, "notes.txt"), []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := "k9:" + strings.Repeat("A", 43) + "="

	for _, c := range []struct {
		name, stdin string
		env, args   []string
		want        string
	}{
		{"wrong passphrase (stdin)", "not the passphrase\n", []string{"WHATPRO_DATA_DIR=" + absent}, []string{"restore", "--from", file}, "wrong passphrase"},
		{"wrong passphrase (env)", "", []string{"WHATPRO_DATA_DIR=" + absent, "WHATPRO_BACKUP_PASSPHRASE=nope-nope-nope"}, []string{"restore", "--from", file}, "wrong passphrase"},
		{"wrong passphrase, print keys", "nope\n", nil, []string{"restore", "--from", file, "--print-keys"}, "wrong passphrase"},
		{"not a backup", backupPass + "\n", []string{"WHATPRO_DATA_DIR=" + absent}, []string{"restore", "--from", filepath.Join(nonEmpty, "notes.txt")}, "not a WhatPro backup"},
		{"non-empty target", backupPass + "\n", []string{"WHATPRO_DATA_DIR=" + nonEmpty}, []string{"restore", "--from", file}, "is not empty"},
		{"keys that do not open the data", backupPass + "\n", []string{"WHATPRO_DATA_DIR=" + absent, "WHATPRO_SECRET_KEYS=" + other}, []string{"restore", "--from", file}, "needs key(s) t1"},
		{"production without keys", backupPass + "\n", []string{"WHATPRO_DATA_DIR=" + absent, "WHATPRO_ENV=production", "WHATPRO_PUBLIC_URL=https://hub.example.test"},
			[]string{"restore", "--from", file}, "--print-keys"},
		{"no passphrase", "", []string{"WHATPRO_DATA_DIR=" + absent}, []string{"restore", "--from", file}, "no passphrase"},
		{"no --from", "", nil, []string{"restore"}, "--from FILE is required"},
		{"existing backup file", "", env, []string{"backup", "--to", file}, "never replaces"},
		{"short passphrase", "short\n", h.Environ(), []string{"backup", "--to", filepath.Join(tmp, "b2")}, "at least 12"},
		{"no --to", "", env, []string{"backup"}, "--to FILE is required"},
		{"no hub there", "", []string{"WHATPRO_DATA_DIR=" + absent}, []string{"backup", "--to", filepath.Join(tmp, "b3")}, "no hub database"},
		{"PostgreSQL", "", []string{"WHATPRO_DATABASE_URL=postgres://u@127.0.0.1:1/x", "WHATPRO_SECRET_KEYS=" + apptest.TestKeys},
			[]string{"backup", "--to", filepath.Join(tmp, "b4")}, "pg_dump -Fc"},
		{"restore onto PostgreSQL", backupPass + "\n", []string{"WHATPRO_DATABASE_URL=postgres://u@127.0.0.1:1/x"}, []string{"restore", "--from", file}, "pg_restore"},
	} {
		out, _, err := cli(t, c.env, c.stdin, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (%s), want an error saying %q", c.name, err, out, c.want)
		}
	}
	if _, err := os.Stat(absent); !os.IsNotExist(err) {
		t.Errorf("a refused restore left %s behind: %v", absent, err)
	}
	if entries, _ := os.ReadDir(nonEmpty); len(entries) != 1 {
		t.Errorf("a refused restore changed the non-empty dir: %v", entries)
	}
	for _, b := range []string{"b2", "b3", "b4"} {
		if _, err := os.Stat(filepath.Join(tmp, b)); !os.IsNotExist(err) {
			t.Errorf("a refused backup left %s", b)
		}
	}

	// --print-keys prints the ring and restores nothing.
	out, _, err := cli(t, nil, backupPass+"\n", "restore", "--from", file, "--print-keys")
	if err != nil || strings.TrimSpace(out) != apptest.TestKeys {
		t.Errorf("--print-keys: %v %q", err, out)
	}
	// With the ring in WHATPRO_SECRET_KEYS, no key file is written.
	out, _, err = cli(t, []string{"WHATPRO_DATA_DIR=" + absent, "WHATPRO_SECRET_KEYS=" + apptest.TestKeys}, backupPass+"\n", "restore", "--from", file)
	if err != nil || !strings.Contains(out, "will use WHATPRO_SECRET_KEYS") {
		t.Fatalf("restore with the ring in the environment: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(absent, "secret-keys")); !os.IsNotExist(err) {
		t.Error("a key file was written although WHATPRO_SECRET_KEYS opens the data")
	}

	for _, cmd := range []string{"backup", "restore"} {
		out, _, err := cli(t, nil, "", cmd, "--help")
		if err != nil && !strings.Contains(err.Error(), "help requested") {
			t.Errorf("%s --help: %v", cmd, err)
		}
		for _, flag := range map[string][]string{"backup": {"-to"}, "restore": {"-from", "-print-keys"}}[cmd] {
			if !strings.Contains(out, flag) {
				t.Errorf("%s --help does not list %s: %s", cmd, flag, out)
			}
		}
	}
}
