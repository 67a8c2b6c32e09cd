package cwsim

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMainPrintsSeedAndServesUntilCancelled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scripts := filepath.Join(dir, "scripts.html")
	if err := os.WriteFile(scripts, []byte(testScripts), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"--addr", "127.0.0.1:0", "--dashboard-scripts", scripts}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() {
		t.Fatalf("no first line: %v", lines.Err())
	}
	first := lines.Text()
	dec := json.NewDecoder(strings.NewReader(first))
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		t.Fatalf("first line is not the seed object: %v: %s", err, first)
	}
	if len(seed.Accounts) < 2 || len(seed.Users) < 4 || seed.Users[0].APIAccessToken == "" {
		t.Errorf("seed = %s", first)
	}
	for _, key := range []string{`"accounts":[{"id":1,"name":`, `"api_access_token":`, `"accounts":[{"id":1,"role":"administrator"}`} {
		if !strings.Contains(first, key) {
			t.Errorf("seed line lacks %s", key)
		}
	}
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "http://127.0.0.1:") {
		t.Fatalf("second line = %q, want the base URL", lines.Text())
	}
	base := lines.Text()
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	resp, err := http.Get(base + "/api")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /api = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/profile", nil)
	req.Header.Set("api_access_token", seed.Users[0].APIAccessToken)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("profile over the wire: %v %v", err, resp)
	}
	resp.Body.Close()
	login, err := http.Get(base + "/app/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(login.Body)
	login.Body.Close()
	if !strings.Contains(string(page), testScripts) {
		t.Error("--dashboard-scripts not rendered")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Main returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Main did not shut down")
	}
}

func TestMainSeedFileAndErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "seed.json")
	os.WriteFile(good, []byte(`{"accounts":[{"id":7,"name":"Sete"}],"users":[{"id":9,"name":"N","email":"n@x.test","password":"p","api_access_token":"tok","accounts":[{"id":7,"role":"agent"}]}]}`), 0o600)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"accounts":[{"id":1}],"users":[{"id":1,"email":"a@x","accounts":[{"id":2,"role":"agent"}]}]}`), 0o600)

	seed, err := LoadSeed(good)
	if err != nil || seed.Users[0].APIAccessToken != "tok" || seed.Accounts[0].ID != 7 {
		t.Fatalf("LoadSeed = %+v, %v", seed, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Main still prints the seed before noticing
	var out strings.Builder
	if err := Main(ctx, []string{"--addr", "127.0.0.1:0", "--seed", good}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `{"accounts":[{"id":7,"name":"Sete"}],"users":[{"id":9,"name":"N","email":"n@x.test","password":"p","api_access_token":"tok","accounts":[{"id":7,"role":"agent"}]}]}`+"\n") {
		t.Errorf("output = %s", out.String())
	}
	for _, args := range [][]string{
		{"--seed", bad},
		{"--seed", filepath.Join(dir, "missing.json")},
		{"--bogus"},
		{"--addr", "not-an-address"},
		{"extra"},
		{"--version", "4.9"},
		{"--version", "latest"},
		{"--webhook-private-network-allowed-types", "account_webhook,bogus"},
		{"--webhook-allowed-private-cidrs", "10.0.0.0"},
		{"--webhook-timeout", "0s"},
		{"--inbox-limit", "-1"},
		{"--duplicate-rate", "1.5"},
		{"--reorder-rate", "-0.1"},
	} {
		if err := Main(context.Background(), args, io.Discard); err == nil {
			t.Errorf("Main(%v) succeeded", args)
		}
	}
}

func TestMainVersionAndHelp(t *testing.T) {
	t.Parallel()
	var help strings.Builder
	if err := Main(context.Background(), []string{"--help"}, &help); err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, flag := range []string{"-version", "-refuse-private-network", "-safe-fetch-allow-private-network",
		"-webhook-private-network-allowed-types", "-webhook-allowed-private-hosts", "-webhook-allowed-private-cidrs", "-webhook-timeout", "-inbox-limit", "-duplicate-rate", "-reorder-rate", "-reorder-delay"} {
		if !strings.Contains(help.String(), flag) {
			t.Errorf("--help does not document %s:\n%s", flag, help.String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"--addr", "127.0.0.1:0", "--version", "4.12", "--refuse-private-network"}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	if !lines.Scan() || !lines.Scan() {
		t.Fatalf("no base URL line: %v", lines.Err())
	}
	base := lines.Text()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	resp, err := http.Get(base + "/api")
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if info["version"] != "4.12.0" {
		t.Errorf("GET /api = %v, want version 4.12.0", info)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
