package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An account admin connects everything the hub catalogues, in the browser,
// against the real binary and its simulators: links Chatwoot (the chatwoot
// simulator's account 1 with its administrator's token) and installs the
// webhook and Dashboard App, syncs the inboxes, adds an Evolution provider
// (the provider simulator) and tests it, adds a number and connects it by
// QR code while Go plays the phone that scans it, gives the number its
// Chatwoot inbox, and reads the plan's limits, the usage chart and the
// webhook events. With WHATPRO_E2E_SCREENSHOTS set, every step is saved.
func TestCatalogPagesAgainstTheHub(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)

	// The Chatwoot simulator: its seed (accounts and users with their tokens) on the first line, its URL on the second.
	cw := startSim(t, "chatwoot-sim", "--addr", "127.0.0.1:0")
	var seed struct {
		Users []struct {
			Email          string `json:"email"`
			APIAccessToken string `json:"api_access_token"`
			Accounts       []struct {
				ID   int    `json:"id"`
				Role string `json:"role"`
			} `json:"accounts"`
		} `json:"users"`
	}
	if err := json.Unmarshal([]byte(cw.line(t)), &seed); err != nil {
		t.Fatalf("chatwoot-sim seed: %v", err)
	}
	cwURL := strings.TrimSpace(cw.line(t))
	cwToken := ""
	for _, u := range seed.Users {
		for _, m := range u.Accounts {
			if m.ID == 1 && m.Role == "administrator" && cwToken == "" {
				cwToken = u.APIAccessToken
			}
		}
	}
	if cwToken == "" || !strings.HasPrefix(cwURL, "http://") {
		t.Fatalf("chatwoot-sim gave no administrator of account 1 (url %q)", cwURL)
	}
	// An inbox that exists in Chatwoot before the hub syncs.
	simCall(t, "POST", cwURL+"/api/v1/accounts/1/inboxes", map[string]string{"api_access_token": cwToken},
		map[string]any{"name": "Site Acme", "channel": map[string]any{"type": "web_widget", "website_url": "https://acme.example"}}, http.StatusOK)

	// The Evolution simulator: {"kind","base_url","api_key"} on the first line.
	evo := startSim(t, "provider-sim", "--kind", "evolution", "--addr", "127.0.0.1:0")
	var evoCreds struct {
		Kind    string `json:"kind"`
		BaseURL string `json:"base_url"`
		APIKey  string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(evo.line(t)), &evoCreds); err != nil || evoCreds.BaseURL == "" || evoCreds.APIKey == "" {
		t.Fatalf("provider-sim credentials: %v (%+v)", err, evoCreds)
	}

	// The super admin makes the account and its admin, who does the rest in the browser.
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Acme Atendimento"}, http.StatusCreated, &account)
	const ownerEmail, ownerPassword = "owner@acme.example", "e2e-Owner-Password-5519"
	api.addPerson(account.ID, ownerEmail, "Olga Owner", "admin", ownerPassword)

	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.chooseOption(`[data-testid="locale-switcher"]`, "en")
	b.step("log in as the account admin",
		chromedp.SendKeys(testID("login-email"), ownerEmail),
		chromedp.SendKeys(testID("login-password"), ownerPassword),
		chromedp.Click(testID("login-submit")),
	)
	b.waitPath("/accounts/" + account.ID + "/users")

	// Chatwoot: link, then install the webhook and the Dashboard App in one click.
	b.step("open the Chatwoot page", chromedp.Click(testID("nav-chatwoot")), chromedp.WaitVisible(testID("chatwoot-form")))
	b.screenshot("chatwoot-unlinked")
	b.step("link Chatwoot",
		chromedp.SendKeys(testID("chatwoot-base-url"), cwURL),
		chromedp.SendKeys(testID("chatwoot-account-id"), "1"),
		chromedp.SendKeys(testID("chatwoot-token"), cwToken),
		chromedp.Click(testID("chatwoot-save")),
	)
	b.waitFor("the link to be ok", `document.querySelector('[data-testid="chatwoot-status"]')?.dataset.status === 'ok'`)
	if v := eval[string](b, `document.querySelector('[data-testid="chatwoot-token"]').value`); v != "" {
		t.Errorf("the token field still holds %q after saving", v)
	}
	b.step("install in Chatwoot", chromedp.Click(testID("chatwoot-install")))
	b.waitFor("the webhook installed", `document.querySelector('[data-testid="chatwoot-webhook-installed"]')?.dataset.installed === 'true'`)
	b.waitFor("the Dashboard App installed", `document.querySelector('[data-testid="chatwoot-dashboard-app-installed"]')?.dataset.installed === 'true'`)
	snippet := eval[string](b, `document.querySelector('[data-testid="chatwoot-dashboard-snippet"]').value`)
	if want := `<script src="` + h.URL + `/embed/dashboard-script.js"></script>`; snippet != want {
		t.Errorf("dashboard snippet = %q, want %q", snippet, want)
	}
	if hook := eval[string](b, `document.querySelector('[data-testid="chatwoot-webhook-url"]').value`); !strings.HasPrefix(hook, h.URL+"/webhooks/chatwoot/") {
		t.Errorf("webhook URL = %q", hook)
	}
	b.screenshot("chatwoot-installed")

	// Inboxes: a sync shows its progress, then the inbox made in Chatwoot.
	b.step("open the inboxes", chromedp.Click(testID("nav-inboxes")), chromedp.WaitVisible(testID("inboxes-table")))
	b.step("sync the inboxes", chromedp.Click(testID("inboxes-sync")), chromedp.WaitVisible(testID("inbox-sync-progress")))
	b.waitFor("the sync to finish", `document.querySelector('[data-testid="inbox-sync-progress"]')?.dataset.status === 'done'`)
	b.waitFor("the Chatwoot inbox in the list",
		`[...document.querySelectorAll('[data-testid="inbox-name"]')].some((e) => e.textContent.trim() === 'Site Acme')`)
	b.screenshot("inboxes-synced")

	// Providers: add the Evolution simulator and test it; its key is never shown.
	b.step("open the providers", chromedp.Click(testID("nav-providers")), chromedp.WaitVisible(testID("provider-form")))
	b.step("add the Evolution provider",
		chromedp.SendKeys(testID("provider-name"), "Evolution Sim"),
		chromedp.SendKeys(testID("provider-base-url"), evoCreds.BaseURL),
		chromedp.SendKeys(testID("provider-api-key"), evoCreds.APIKey),
		chromedp.Click(testID("provider-create")),
		chromedp.WaitVisible(testID("provider-row")),
	)
	b.step("test the provider", chromedp.Click(testID("provider-test")), chromedp.WaitVisible(testID("provider-test-result")))
	b.waitFor("the provider healthy", `document.querySelector('[data-testid="provider-health"]')?.dataset.health === 'healthy'`)
	if got := b.text(`[data-testid="provider-test-result"]`); !strings.Contains(got, " ms") {
		t.Errorf("test result %q shows no latency", got)
	}
	if eval[bool](b, fmt.Sprintf(`document.documentElement.outerHTML.includes(%s)`, jsString(evoCreds.APIKey))) {
		t.Error("the page shows the provider's API key")
	}
	b.screenshot("providers-healthy")

	// Numbers: add one, connect it by QR code, play the phone scanning it.
	b.step("open the numbers", chromedp.Click(testID("nav-numbers")), chromedp.WaitVisible(testID("number-form")))
	b.step("add a number",
		chromedp.SendKeys(testID("number-name"), "sales"),
		chromedp.Click(testID("number-create")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="number-row"][data-number-name="sales"]`)),
	)
	b.step("connect it", chromedp.Click(testID("number-connect")), chromedp.WaitVisible(testID("qr-code")))
	b.waitFor("the QR code image", `document.querySelector('[data-testid="qr-code"]')?.getAttribute('src')?.startsWith('data:image/')
		&& document.querySelector('[data-testid="qr-code"]').naturalWidth > 0`)
	b.screenshot("number-qr")
	simCall(t, "POST", evoCreds.BaseURL+"/_sim/instances/sales/scan", nil,
		map[string]string{"number": "5511987654321", "profile_name": "Acme Vendas"}, http.StatusOK)
	b.step("see it connected", chromedp.WaitVisible(testID("number-connected")))
	if eval[bool](b, `document.querySelector('[data-testid="qr-code"]') !== null`) {
		t.Error("the QR code is still shown after the number connected")
	}
	b.screenshot("number-connected")
	b.step("close the dialog", chromedp.Click(testID("number-connect-close")))
	b.waitFor("the row connected", `document.querySelector('[data-testid="number-row"]')?.dataset.status === 'connected'`)

	b.step("create its Chatwoot inbox",
		chromedp.Click(testID("number-create-inbox")),
		chromedp.WaitVisible(testID("number-inbox-dialog")),
		chromedp.Click(testID("number-inbox-submit")),
		chromedp.WaitVisible(testID("number-inbox")),
	)
	if got := b.text(`[data-testid="number-inbox"]`); !strings.HasPrefix(got, "WhatsApp") {
		t.Errorf("the number's inbox reads %q", got)
	}
	b.screenshot("numbers-with-inbox")
	if got := b.text(`[data-testid="number-phone"]`); got != "Acme Vendas · +5511987654321" {
		t.Errorf("the row shows the phone as %q, want the provider's profile name and number", got)
	}

	// Disconnect it from the hub: it stays, says why, and raises no alarm.
	b.step("disconnect it",
		chromedp.Click(testID("number-logout")),
		chromedp.Click(testID("confirm-ok")),
	)
	b.waitFor("the row disconnected by the hub", `document.querySelector('[data-testid="number-row"]')?.dataset.status === 'disconnected'
		&& document.querySelector('[data-testid="number-reason"]')?.dataset.reason === 'hub_logout'`)
	if eval[bool](b, `document.querySelector('[data-testid="numbers-dropped-banner"]') !== null`) {
		t.Error("a number the admin disconnected raises the dropped banner")
	}
	// Connect it again, then the phone logs out: the admin is warned with the reason.
	b.step("connect it again", chromedp.Click(testID("number-connect")), chromedp.WaitVisible(testID("qr-code")))
	simCall(t, "POST", evoCreds.BaseURL+"/_sim/instances/sales/scan", nil,
		map[string]string{"number": "5511987654321", "profile_name": "Acme Vendas"}, http.StatusOK)
	b.step("see it connected again", chromedp.WaitVisible(testID("number-connected")), chromedp.Click(testID("number-connect-close")))
	simCall(t, "POST", evoCreds.BaseURL+"/_sim/instances/sales/disconnect", nil, map[string]int{"status_reason": 401}, http.StatusOK)
	// The page reads the numbers when it opens: open it again until the hub has the phone's logout.
	for deadline := time.Now().Add(waitTimeout); ; {
		b.step("reopen the numbers", chromedp.Click(testID("nav-providers")), chromedp.WaitVisible(testID("provider-row")),
			chromedp.Click(testID("nav-numbers")), chromedp.WaitVisible(testID("number-row")))
		if eval[bool](b, `document.querySelector('[data-testid="numbers-dropped-item"]')?.dataset.reason === 'logged_out'`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the numbers page never warned of the phone's logout")
		}
		time.Sleep(200 * time.Millisecond) // a poll interval, not a wait for an effect
	}
	b.screenshot("numbers-dropped")

	// Plan and usage: the limits count what was just made; the chart is drawn.
	b.step("open plan and usage", chromedp.Click(testID("nav-plan")), chromedp.WaitVisible(testID("plan-limits")), chromedp.WaitVisible(testID("usage-chart")))
	b.waitFor("one number used", `document.querySelector('[data-limit-name="max_provider_instances"]')?.dataset.used === '1'`)
	if n := eval[int](b, `document.querySelectorAll('[data-testid="usage-bar"]').length`); n != 30 {
		t.Errorf("the usage chart has %d days, want 30", n)
	}
	b.chooseOption(`[data-testid="usage-metric"]`, "api_requests")
	b.screenshot("plan-light")
	b.setTheme("dark")
	b.screenshot("plan-dark")

	// Webhook events: the provider's connection event arrived; its payload opens.
	b.step("open the webhook events", chromedp.Click(testID("nav-webhook-events")), chromedp.WaitVisible(testID("webhook-events-table")))
	b.waitFor("a webhook event", `document.querySelectorAll('[data-testid="webhook-event-row"]').length > 0`)
	b.step("open its payload", chromedp.Click(testID("webhook-event-toggle")), chromedp.WaitVisible(testID("webhook-event-details")))
	b.screenshot("webhook-events-dark")

	b.step("back to the numbers", chromedp.Click(testID("nav-numbers")), chromedp.WaitVisible(testID("numbers-table")))
	b.screenshot("numbers-dark")
	b.setTheme("light")

	b.assertClean()
}

// A super admin manages plans, an account's plan and features, and reads
// the hub-wide usage.
func TestPlatformPagesAgainstTheHub(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Beta Vendas"}, http.StatusCreated, &account)

	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.chooseOption(`[data-testid="locale-switcher"]`, "en")
	b.step("log in as the super admin",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")),
	)
	b.waitPath("/accounts")

	b.step("open the plans", chromedp.Click(testID("nav-plans")), chromedp.WaitVisible(testID("plans-list")))
	b.waitFor("the built-in plan, read-only", `document.querySelector('[data-testid="plan-row"][data-built-in="true"]') !== null
		&& document.querySelector('[data-built-in="true"] [data-testid="plan-edit"]') === null`)
	b.step("create a plan",
		chromedp.SendKeys(testID("plan-name"), "Starter"),
		chromedp.SendKeys(testID("plan-limit-max_provider_instances"), "1"),
		chromedp.Click(testID("plan-feature-kanban")),
		chromedp.Click(testID("plan-submit")),
	)
	b.waitFor("the new plan", `[...document.querySelectorAll('[data-testid="plan-row"]')].some((r) => r.textContent.includes('Starter'))`)
	b.screenshot("plans")

	b.step("open the account", chromedp.Navigate(h.URL+"/accounts/"+account.ID), chromedp.WaitVisible(testID("account-plan")))
	b.waitFor("the plans in the select", `document.querySelectorAll('[data-testid="account-plan-select"] option').length >= 2`)
	planID := eval[string](b, `[...document.querySelectorAll('[data-testid="account-plan-select"] option')].find((o) => o.textContent.trim() === 'Starter').value`)
	b.chooseOption(`[data-testid="account-plan-select"]`, planID)
	b.step("assign it with an override",
		chromedp.SendKeys(testID("account-plan-override-max_inboxes"), "7"),
		chromedp.Click(testID("account-plan-save")),
		chromedp.WaitVisible(testID("account-plan-saved")),
	)
	b.waitFor("the override in the limits", `document.querySelector('[data-testid="account-plan"] [data-limit-name="max_inboxes"]')?.dataset.limit === '7'`)
	b.waitFor("the features", `document.querySelector('[data-testid="account-feature-gateway"]') !== null`)
	if eval[bool](b, `document.querySelector('[data-testid="account-feature-automations"], [data-testid="account-feature-analytics"]') !== null`) {
		t.Error("the account page offers a feature that is not built")
	}
	b.step("turn the gateway on", chromedp.Click(testID("account-feature-gateway")))
	b.waitFor("gateway on", `document.querySelector('[data-testid="account-feature-gateway"]').checked === true
		&& !document.querySelector('[data-testid="account-feature-gateway"]').disabled`)
	var features struct {
		Features map[string]bool `json:"features"`
	}
	api.do("GET", "/api/v1/features?account_id="+account.ID, nil, http.StatusOK, &features)
	if !features.Features["gateway"] {
		t.Errorf("the hub has gateway off for the account: %v", features.Features)
	}
	b.screenshot("account-plan")

	b.step("open the hub usage", chromedp.Click(testID("nav-hub-usage")), chromedp.WaitVisible(testID("hub-usage-table")))
	b.screenshot("hub-usage")
	b.assertClean()
}

// sim is a simulator subcommand of the built binary; its stdout lines are
// read one at a time.
type sim struct {
	name  string
	lines chan string
	logs  *syncBuffer
}

// startSim runs `whatpro <args>` and stops it with SIGTERM at the end of the test.
func startSim(t *testing.T, args ...string) *sim {
	t.Helper()
	s := &sim{name: args[0], lines: make(chan string, 16), logs: &syncBuffer{}}
	cmd := exec.Command(binPath, args...)
	cmd.Stderr = s.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", s.name, err)
	}
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case s.lines <- sc.Text():
			default: // nobody reads past the first lines
			}
		}
		_, _ = io.Copy(io.Discard, out)
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Logf("%s exited: %v\n%s", s.name, err, s.logs)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Logf("%s did not stop within 10 s of SIGTERM", s.name)
		}
	})
	return s
}

// line is the simulator's next line of output.
func (s *sim) line(t *testing.T) string {
	t.Helper()
	select {
	case l := <-s.lines:
		return l
	case <-time.After(waitTimeout):
		t.Fatalf("%s printed nothing within %s\n%s", s.name, waitTimeout, s.logs)
		return ""
	}
}

// simCall sends JSON to a simulator and fails the test on another status than want.
func simCall(t *testing.T, method, url string, headers map[string]string, body any, want int) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, res.StatusCode, want, answer)
	}
}
