package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// walkPage is a console page and what shows it has loaded.
type walkPage struct {
	name, path, ready string
	main              bool // screenshotted for the README at every width
}

// Every console page, as a super admin who is also the account's admin (so every menu shows),
// with the account linked to the Chatwoot simulator and a provider with a number: at 1280 and
// 400 px in pt-BR light; then a sample of the other widths, languages and themes. The page
// check (pagecheck_test.go) fails on overflow, English on a Portuguese screen and console errors.
// With WHATPRO_DOCS_SCREENSHOTS set to a directory, the main pages are saved there at 1280, 400
// and 320 px (docs/screenshots in the repository).
func TestEveryConsolePageFitsAndSpeaksOneLanguage(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	api, base := env.super, "/api/v1/accounts/"+env.accountID
	api.do("POST", base+"/users", map[string]string{"email": adminEmail, "name": "Administrator", "role": "admin"}, http.StatusCreated, nil)
	api.do("POST", "/api/v1/me/invitations/"+env.accountID+"/accept", nil, http.StatusNoContent, nil)
	api.addPerson(env.accountID, "agente@acme.example", "Agente Silva", "agent", "e2e-Agent-Password-4821")
	evo := startSim(t, "provider-sim", "--kind", "evolution", "--addr", "127.0.0.1:0")
	var creds struct {
		BaseURL string `json:"base_url"`
		APIKey  string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(evo.line(t)), &creds); err != nil {
		t.Fatal(err)
	}
	var provider struct {
		ID string `json:"id"`
	}
	api.do("POST", base+"/providers", map[string]any{"name": "Evolution Sim", "type": "evolution", "base_url": creds.BaseURL,
		"credentials": map[string]string{"api_key": creds.APIKey}}, http.StatusCreated, &provider)
	api.do("POST", base+"/provider-instances", map[string]any{"provider_id": provider.ID, "name": "vendas"}, http.StatusCreated, nil)
	api.do("POST", base+"/api-keys", map[string]any{"name": "Integração ERP", "scopes": []string{"users:read"}}, http.StatusCreated, nil)

	acct := "/accounts/" + env.accountID
	pages := []walkPage{
		{"status", "/", `[data-testid="status-overall"]`, true},
		{"accounts", "/accounts", `[data-testid="accounts-table"]`, true},
		{"account", acct, `[data-testid="account-details"]`, true},
		{"users", acct + "/users", `[data-testid="user-row-agente@acme.example"]`, true},
		{"api-keys", acct + "/api-keys", `[data-testid="api-keys-table"]`, false},
		{"audit", acct + "/audit-log", `[data-testid="audit-row"]`, true},
		{"chatwoot", acct + "/chatwoot", `[data-testid="chatwoot-status"][data-status="ok"]`, true},
		{"inboxes", acct + "/inboxes", `[data-testid="inboxes-table"]`, false},
		{"providers", acct + "/providers", `[data-testid="provider-row"]`, true},
		{"numbers", acct + "/numbers", `[data-testid="number-row"]`, true},
		{"webhook-events", acct + "/webhook-events", `[data-testid="webhook-events-table"]`, false},
		{"plan", acct + "/plan", `[data-testid="usage-chart"]`, false},
		{"plans", "/plans", `[data-testid="plan-row"]`, false},
		{"hub-usage", "/usage", `[data-testid="hub-usage-table"]`, false},
		{"sessions", "/sessions", `[data-testid="session-row"]`, false},
		{"profile", "/profile", `[data-testid="password-form"]`, true},
	}

	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(env.hub.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.setTheme("light")
	b.resize(400)
	b.checkPage("login at 400 px", false, "pt-BR", "Administrator")
	b.docShot("login", 400)
	b.resize(1280)
	b.checkPage("login at 1280 px", true, "pt-BR", "Administrator")
	b.docShot("login", 1280)
	b.step("log in",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")),
	)
	b.waitFor("the console", `document.querySelector('[data-testid="sidebar"]') !== null`)

	for _, width := range []int64{1280, 400} {
		b.resize(width)
		for _, p := range pages {
			b.visit(env.hub.URL, p)
			b.checkPage(fmt.Sprintf("%s at %d px", p.name, width), width >= 1024, "pt-BR", "Administrator")
			if p.main {
				b.docShot(p.name, width)
			}
		}
	}

	// Refusals speak Portuguese too: a common password, a provider that does not answer.
	b.visit(env.hub.URL, pages[len(pages)-1])
	b.step("try a common password",
		chromedp.SendKeys(testID("password-current"), adminPassword),
		chromedp.SendKeys(testID("password-new"), "password123"),
		chromedp.SendKeys(testID("password-confirm"), "password123"),
		chromedp.Click(testID("password-submit")),
	)
	b.waitFor("the refusal", `document.body.textContent.includes('Escolha outra senha')`)
	b.checkPage("a refused password at 400 px", false, "pt-BR", "Administrator")
	b.docShot("profile-refused", 400)
	// Two-factor setup shows a QR code drawn in the page.
	b.step("start two-factor setup", chromedp.Click(testID("totp-start")), chromedp.WaitVisible(testID("totp-qr")))
	b.waitFor("a drawn QR code", `document.querySelector('[data-testid="totp-qr"] path')?.getAttribute('d').length > 500`)
	b.checkPage("two-factor setup at 400 px", false, "pt-BR", "Administrator")
	b.docShot("profile-totp", 400)
	b.visit(env.hub.URL, pages[8])
	b.step("add a provider that does not answer",
		chromedp.SendKeys(testID("provider-name"), "Servidor desligado"),
		chromedp.SendKeys(testID("provider-base-url"), "http://127.0.0.1:9"),
		chromedp.SendKeys(testID("provider-api-key"), "chave-qualquer-123"),
		chromedp.Click(testID("provider-create")),
	)
	b.waitFor("an answer", `document.querySelector('[role="alert"]') !== null || document.querySelectorAll('[data-testid="provider-row"]').length > 1`)
	b.checkPage("a provider that does not answer at 400 px", false, "pt-BR", "Administrator", "Servidor desligado")

	// At 400 px the sidebar is a drawer behind the menu button.
	if eval[bool](b, `document.querySelector('[data-testid="sidebar"]').getBoundingClientRect().right > 0`) {
		t.Error("at 400 px the sidebar is on screen before the menu button opened it")
	}
	b.step("open the menu", chromedp.Click(testID("menu-open")))
	b.waitFor("the drawer open", `Math.round(document.querySelector('[data-testid="sidebar"]').getBoundingClientRect().left) === 0`)
	b.checkPage("the open drawer at 400 px", false, "pt-BR", "Administrator")
	b.docShot("menu", 400)
	b.step("follow a menu entry", chromedp.Click(testID("nav-users")))
	b.waitFor("the drawer closed after the choice", `document.querySelector('[data-testid="sidebar"]').getBoundingClientRect().right <= 0`)

	// 320 px, pt-BR light: the main pages.
	b.resize(320)
	for _, p := range pages {
		if !p.main {
			continue
		}
		b.visit(env.hub.URL, p)
		b.checkPage(p.name+" at 320 px", false, "pt-BR", "Administrator")
		b.docShot(p.name, 320)
	}

	// A sample of the other combinations: English dark at 400 px and 1280 px.
	b.chooseOption(`[data-testid="locale-switcher"]`, "en")
	b.setTheme("dark")
	for i, p := range pages {
		width := int64(400)
		if i%2 == 1 {
			width = 1280
		}
		if i%3 == 2 {
			continue
		}
		b.resize(width)
		b.visit(env.hub.URL, p)
		b.checkPage(fmt.Sprintf("%s at %d px, en dark", p.name, width), width >= 1024, "en", "Administrator")
	}
	b.setTheme("light")
	b.chooseOption(`[data-testid="locale-switcher"]`, "pt-BR")

	// End all other sessions: the API client's login is the other one; it stops working.
	b.resize(1280)
	b.visit(env.hub.URL, pages[14])
	b.step("end all other sessions", chromedp.Click(testID("sessions-revoke-others")), chromedp.WaitVisible(testID("confirm-dialog")))
	b.checkPage("ending the other sessions", true, "pt-BR", "Administrator")
	b.step("confirm", chromedp.Click(testID("confirm-ok")))
	b.waitFor("only this browser's session", `document.querySelectorAll('[data-testid="session-row"]').length === 1 && document.querySelector('[data-testid="sessions-revoke-others"]') === null`)
	if err := api.try("GET", "/api/v1/me", nil, http.StatusOK, nil); err == nil {
		t.Error("the other session still works after ending all other sessions")
	}
	b.assertClean()
}

// visit opens a console page by its address and waits until it shows its content and no skeleton.
func (b *browser) visit(origin string, p walkPage) {
	b.t.Helper()
	b.step("open "+p.name, chromedp.Navigate(origin+p.path))
	b.waitFor(p.name+" loaded", fmt.Sprintf(`location.pathname === %s && document.querySelector(%s) !== null && document.querySelector('[aria-busy="true"], [data-skeleton]') === null`,
		jsString(strings.SplitN(p.path, "?", 2)[0]), jsString(p.ready)))
}

// resize makes the tab's viewport width px wide.
func (b *browser) resize(width int64) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 800, DeviceScaleFactor: 1}); err != nil {
		b.t.Fatal(err)
	}
	b.waitFor(fmt.Sprintf("the window at %d px", width), fmt.Sprintf(`document.documentElement.clientWidth <= %d`, width))
}

// docShot saves the viewport as NAME-WIDTH.png under $WHATPRO_DOCS_SCREENSHOTS.
func (b *browser) docShot(name string, width int64) {
	dir := os.Getenv("WHATPRO_DOCS_SCREENSHOTS")
	if dir == "" {
		return
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(repoRoot, dir)
	}
	b.screenshotNamed(dir, fmt.Sprintf("%s-%d.png", name, width))
}
