package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/demo"
)

// `whatpro demo` as a process: its first line is the JSON summary; the
// account is linked to the Chatwoot simulator with webhook and Dashboard
// App, the number is connected with its API inbox, the board holds the
// customers' deals; Ctrl-C stops the hub and both simulators.
func TestDemoProcess(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "whatpro")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	full := t.TempDir()
	must(t, os.WriteFile(filepath.Join(full, "x"), nil, 0o600))
	if out, err := exec.Command(bin, "demo", "--data-dir", full).CombinedOutput(); err == nil || !strings.Contains(string(out), "not empty") {
		t.Fatalf("a used data dir was accepted: %v %s", err, out)
	}

	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(t.TempDir(), "demo"), "--traffic", "600/min")
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := bufio.NewScanner(stdout)
	first := make(chan string, 1)
	go func() {
		if lines.Scan() {
			first <- lines.Text()
		}
		close(first)
		for lines.Scan() {
		}
	}()
	var line string
	select {
	case line = <-first:
	case <-time.After(2 * time.Minute):
		t.Fatal("the demo printed nothing")
	}
	var sum demo.Summary
	if err := json.Unmarshal([]byte(line), &sum); err != nil {
		t.Fatalf("the first line is not the JSON summary: %v\n%s", err, line)
	}
	if sum.ConsoleURL == "" || sum.ChatwootURL == "" || sum.ProviderURL == "" || sum.Console.Email == "" || len(sum.Chatwoot) == 0 || len(sum.Customers) != 3 {
		t.Fatalf("summary: %+v", sum)
	}
	hub := strings.TrimSuffix(sum.ConsoleURL, "/")
	tok := demoLogin(t, hub, sum.Console.Email, sum.Console.Password)
	A := hub + "/api/v1/accounts/" + sum.AccountID
	var link struct {
		Linked                bool `json:"linked"`
		WebhookInstalled      bool `json:"webhook_installed"`
		DashboardAppInstalled bool `json:"dashboard_app_installed"`
	}
	demoGet(t, A+"/chatwoot", tok, &link)
	if !link.Linked || !link.WebhookInstalled || !link.DashboardAppInstalled {
		t.Errorf("chatwoot link: %+v", link)
	}
	var inst struct {
		Status  string  `json:"status"`
		InboxID *string `json:"inbox_id"`
	}
	demoGet(t, A+"/provider-instances/"+sum.InstanceID, tok, &inst)
	if inst.Status != "connected" || inst.InboxID == nil || sum.InboxID == 0 {
		t.Errorf("number: %+v, chatwoot inbox %d", inst, sum.InboxID)
	}
	var cards struct {
		Data []struct {
			Contact *struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"contact"`
			ConversationID *int `json:"conversation_id"`
		} `json:"data"`
	}
	demoGet(t, A+"/boards/"+sum.BoardID+"/cards", tok, &cards)
	if len(cards.Data) != 3 {
		t.Errorf("%d deals on the board, want 3", len(cards.Data))
	}
	for _, c := range cards.Data {
		if c.Contact == nil || c.Contact.ID == 0 || c.ConversationID == nil {
			t.Errorf("a deal without its customer or conversation: %+v", c)
		}
	}
	if res, err := http.Get(sum.PhoneURL); err != nil || res.StatusCode != 200 {
		t.Errorf("the customer's phone page: %v %v", err, res)
	}
	// The traffic player: customers write on the Evolution simulator (the
	// hub stores its webhooks) and agents reply in Chatwoot (whose
	// webhooks the hub stores too).
	deadline := time.Now().Add(time.Minute)
	for sources := map[string]bool{}; !sources["provider"] || !sources["chatwoot"]; {
		if time.Now().After(deadline) {
			t.Fatalf("the traffic player's messages never reached the hub: %v", sources)
		}
		var evs struct {
			Data []struct {
				Source string `json:"source"`
				Event  string `json:"event"`
			} `json:"data"`
		}
		demoGet(t, A+"/webhook-events?limit=200", tok, &evs)
		for _, e := range evs.Data {
			if e.Event == "messages.upsert" || e.Event == "message_created" {
				sources[e.Source] = true
			}
		}
		time.Sleep(200 * time.Millisecond) // polling the hub's list, not waiting for time to pass
	}

	must(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after Ctrl-C: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the demo did not stop on Ctrl-C")
	}
	for _, u := range []string{hub + "/healthz", sum.ChatwootURL, sum.ProviderURL} {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			t.Errorf("%s still answers after Ctrl-C", u)
		}
	}
}

func demoLogin(t *testing.T, hub, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(hub+"/api/v1/auth/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	must(t, json.NewDecoder(res.Body).Decode(&out))
	if out.AccessToken == "" {
		t.Fatalf("login %d", res.StatusCode)
	}
	return out.AccessToken
}

func demoGet(t *testing.T, url, tok string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	must(t, json.NewDecoder(res.Body).Decode(out))
}
