package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// A new user's first look: on a fresh account (nothing linked, no provider, no number, no key),
// its admin opens every console page in turn. Each shows its empty state saying what to do
// next, with the action (or, for pages never empty on a fresh account, its content): not a
// blank page, not a skeleton left spinning, not an error.
func TestEveryConsolePageOnAFreshAccountSaysWhatToDoNext(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Loja Nova"}, http.StatusCreated, &account)
	// The super admin joins it as its admin, so every menu of an account admin shows.
	api.do("POST", "/api/v1/accounts/"+account.ID+"/users", map[string]string{"email": adminEmail, "name": "Administrator", "role": "admin"}, http.StatusCreated, nil)
	api.do("POST", "/api/v1/me/invitations/"+account.ID+"/accept", nil, http.StatusNoContent, nil)

	acct := "/accounts/" + account.ID
	empty := func(of, action string) string {
		if action == "" {
			return fmt.Sprintf(`[data-testid="empty-state"][data-empty="%s"]`, of)
		}
		return fmt.Sprintf(`[data-testid="empty-state"][data-empty="%s"] [data-testid="%s"]`, of, action)
	}
	pages := []walkPage{
		// Lists that are empty on a fresh account: the next step, with its action.
		{name: "api-keys", path: acct + "/api-keys", ready: empty("api-keys", "api-keys-empty-create")},
		{name: "inboxes", path: acct + "/inboxes", ready: empty("inboxes", "inboxes-empty-link")},
		{name: "providers", path: acct + "/providers", ready: empty("providers", "providers-empty-add")},
		{name: "numbers", path: acct + "/numbers", ready: empty("numbers", "numbers-empty-providers")},
		{name: "gateway", path: acct + "/gateway", ready: empty("gateway-numbers", "gateway-empty-numbers") + `, ` + empty("gateway-dead", "")},
		{name: "webhook-events", path: acct + "/webhook-events", ready: empty("webhook-events", "webhook-events-empty-chatwoot")},
		{name: "kanban", path: acct + "/boards", ready: `[data-testid="kanban-empty"][data-filtered="false"] button`},
		{name: "chat", path: acct + "/chat", ready: empty("chat-rooms", "chat-rooms-empty-start")},
		// Not linked yet: the Chatwoot page is its link form.
		{name: "chatwoot", path: acct + "/chatwoot", ready: `[data-testid="chatwoot-form"]`},
		// Pages a fresh account already has something on.
		{name: "status", path: "/", ready: `[data-testid="status-overall"]`},
		{name: "accounts", path: "/accounts", ready: `[data-testid="account-row"]`},
		{name: "account", path: acct, ready: `[data-testid="account-details"]`},
		{name: "users", path: acct + "/users", ready: `[data-testid="user-row-` + adminEmail + `"]`},
		{name: "audit", path: acct + "/audit-log", ready: `[data-testid="audit-row"]`},
		{name: "account-data", path: acct + "/data", ready: `[data-testid="deletion-form"]`},
		{name: "plan", path: acct + "/plan", ready: `[data-testid="plan-limits"]`},
		{name: "plans", path: "/plans", ready: `[data-testid="plan-row"]`},
		{name: "jobs", path: "/jobs", ready: `[data-testid="job-kind"], ` + empty("jobs", "")},
		{name: "hub-usage", path: "/usage", ready: `[data-testid="hub-usage-row"], ` + empty("hub-usage", "hub-usage-empty-accounts")},
		{name: "api-docs", path: "/api-docs", ready: `[data-testid="api-docs-group"]`},
		{name: "sessions", path: "/sessions", ready: `[data-testid="session-row"][data-current="true"]`},
		{name: "profile", path: "/profile", ready: `[data-testid="password-form"]`},
	}

	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.step("log in",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")),
	)
	b.waitFor("the console", `document.querySelector('[data-testid="sidebar"]') !== null`)

	for _, p := range pages {
		if p.name == "kanban" {
			// The board's own path names its default board once it is picked.
			b.step("open kanban", chromedp.Navigate(h.URL+p.path))
			b.waitFor("kanban loaded", fmt.Sprintf(`document.querySelector(%s) !== null && document.querySelector('[aria-busy="true"], [data-skeleton]') === null`, jsString(p.ready)))
		} else {
			b.visit(h.URL, p)
		}
		b.checkFreshPage(p)
	}

	// An empty state's action leads to the next step: no number yet, so add a provider first.
	b.visit(h.URL, pages[3])
	b.step("follow the numbers page's next step", chromedp.Click(testID("numbers-empty-providers")))
	b.waitPath(acct + "/providers")
	b.step("the provider form takes the focus", chromedp.Click(testID("providers-empty-add")))
	b.waitFor("the provider name field focused", `document.activeElement?.id === 'provider-name'`)

	b.assertClean()
}

// checkFreshPage fails when the page shows an error, or nothing to read, where it should show
// its empty state or its content.
func (b *browser) checkFreshPage(p walkPage) {
	b.t.Helper()
	problem := eval[string](b, fmt.Sprintf(`(() => {
  const failed = document.querySelector('[data-testid="error-state"], [data-testid="kanban-error"], [data-testid="chat-panel"][data-status="error"], [role="alert"]');
  if (failed) return 'shows an error: ' + failed.textContent.trim().slice(0, 200);
  const ready = document.querySelector(%s);
  if (!ready) return 'lost its content';
  const box = ready.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return 'its content is not visible';
  const main = document.querySelector('main') ?? document.body;
  if (main.innerText.trim().length < 20) return 'is blank';
  const state = ready.closest('[data-testid="empty-state"]');
  if (state && state.innerText.trim().length < 10) return 'has an empty state with nothing to read';
  return '';
})()`, jsString(p.ready)))
	if problem != "" {
		b.t.Errorf("%s (%s) %s", p.name, p.path, problem)
	}
}
