package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// An account admin walks the console against the real hub: users, the audit
// log (expanded and filtered), sessions, the profile and the account pages,
// in light and dark. With WHATPRO_E2E_SCREENSHOTS set, every page is saved.
func TestConsolePagesAgainstTheHub(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)

	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Acme Atendimento"}, http.StatusCreated, &account)
	base := "/api/v1/accounts/" + account.ID
	// The admin joins (an existing user is invited, then accepts) and adds an agent.
	api.do("POST", base+"/users", map[string]string{"email": adminEmail, "name": "Administrator", "role": "admin"}, http.StatusCreated, nil)
	api.do("POST", "/api/v1/me/invitations/"+account.ID+"/accept", nil, http.StatusNoContent, nil)
	api.addPerson(account.ID, "agent@example.com", "Agent Smith", "agent", "e2e-Agent-Password-4821")

	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.step("log in",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")),
	)
	// A member with users:read starts at the users of its first account.
	b.waitPath("/accounts/" + account.ID + "/users")
	b.step("see the users", chromedp.WaitVisible(testID("user-row-agent@example.com")), chromedp.WaitVisible(testID("user-row-"+adminEmail)))
	if got := b.text(`[data-testid="account-switcher"] option:checked`); got != "Acme Atendimento" {
		t.Errorf("account switcher shows %q", got)
	}
	b.screenshot("users-light")
	b.setTheme("dark")
	b.screenshot("users-dark")

	b.step("open the audit log", chromedp.Click(testID("nav-audit")), chromedp.WaitVisible(testID("audit-table")))
	b.waitFor("audit rows", `document.querySelectorAll('[data-testid="audit-row"]').length >= 3`)
	b.step("expand the newest event", chromedp.Click(chromedp.CSS(`[data-testid="audit-row"] button`)), chromedp.WaitVisible(testID("audit-details")))
	b.screenshot("audit-dark")
	b.step("filter by action", chromedp.SendKeys(testID("audit-filter-action"), "user.*"), chromedp.Click(testID("audit-apply")))
	b.waitFor("only user.* events", `(() => {
  const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
  return rows.length > 0 && rows.every((r) => r.querySelector('[data-testid="audit-action"]').title.startsWith('user.'));
})()`)

	b.step("open my sessions", chromedp.Click(testID("nav-sessions")), chromedp.WaitVisible(testID("sessions-table")))
	b.waitFor("this browser's session marked current", `document.querySelectorAll('[data-testid="session-row"][data-current="true"]').length === 1`)
	b.screenshot("sessions-dark")

	b.setTheme("light")
	b.step("open my account", chromedp.Click(testID("nav-profile")), chromedp.WaitVisible(testID("password-form")))
	b.screenshot("profile-light")
	b.step("open the account overview", chromedp.Click(testID("nav-account")), chromedp.WaitVisible(testID("account-details")))
	b.screenshot("account-light")
	b.step("open the account list", chromedp.Click(testID("nav-accounts")), chromedp.WaitVisible(testID("accounts-table")))
	b.waitFor("the account in the list", fmt.Sprintf(`document.querySelector('[data-account-id=%s]') !== null`, jsString(account.ID)))
	b.screenshot("accounts-light")

	b.assertClean()
}

// setTheme clicks the theme toggle until it shows the theme.
func (b *browser) setTheme(theme string) {
	b.t.Helper()
	for range 3 {
		if b.text(`[data-testid="theme-toggle"]`) != "" && eval[string](b, `document.querySelector('[data-testid="theme-toggle"]').dataset.theme`) == theme {
			return
		}
		b.step("toggle the theme", chromedp.Click(testID("theme-toggle")))
	}
	b.t.Fatalf("the theme toggle never showed %s", theme)
}
