package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// browserLogin signs the browser in through the login page and waits for the path it lands on.
func browserLogin(b *browser, h *hub, email, password, landing string) {
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.step("log in",
		chromedp.SendKeys(testID("login-email"), email),
		chromedp.SendKeys(testID("login-password"), password),
		chromedp.Click(testID("login-submit")))
	b.waitPath(landing)
}

// A super admin joins a new account in one click from its page; an agent who opens a page
// their role does not include is told so, and a feature that is off has no entry in the sidebar
// and a deep link to it says the feature is off (never a silent redirect).
func TestJoinAccountAndNotAllowedPages(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Seats"}, http.StatusCreated, &account)
	const agentEmail, agentPassword = "agent-seats@e2e.test", "e2e-Agent-Password-7731"
	api.addPerson(account.ID, agentEmail, "Agente", "agent", agentPassword)
	api.do("PUT", "/api/v1/accounts/"+account.ID+"/features", map[string]bool{"kanban": false}, http.StatusOK, nil)

	root := newBrowser(t)
	browserLogin(root, h, adminEmail, adminPassword, "/accounts")
	root.step("open the account", chromedp.Navigate(h.URL+"/accounts/"+account.ID), chromedp.WaitVisible(testID("join-account-submit")))
	root.step("join it", chromedp.Click(testID("join-account-submit")))
	root.waitFor("the join card gone", `document.querySelector('[data-testid="join-account"]') === null
		&& document.querySelector('[data-testid="account-details"]') !== null`)
	var me struct {
		Memberships []struct {
			AccountID string `json:"account_id"`
			Role      string `json:"role"`
			Status    string `json:"status"`
		} `json:"memberships"`
	}
	api.do("GET", "/api/v1/me", nil, http.StatusOK, &me)
	joined := false
	for _, m := range me.Memberships {
		joined = joined || (m.AccountID == account.ID && m.Role == "admin" && m.Status == "active")
	}
	if !joined {
		t.Errorf("after the click the super admin's memberships are %+v", me.Memberships)
	}
	root.assertClean()

	b := newBrowser(t)
	browserLogin(b, h, agentEmail, agentPassword, "/accounts/"+account.ID)
	b.waitFor("the sidebar", `document.querySelector('[data-testid="nav-chat"]') !== null`)
	if eval[bool](b, `document.querySelector('[data-testid="nav-kanban"]') !== null`) {
		t.Error("the sidebar offers the Kanban, which is off for the account")
	}
	b.step("open the users page", chromedp.Navigate(h.URL+"/accounts/"+account.ID+"/users"))
	b.waitFor("told the role lacks it", `document.querySelector('[data-testid="not-allowed"]')?.dataset.reason === 'permission'`)
	b.screenshot("not-allowed-permission")
	b.step("open the Kanban by its address", chromedp.Navigate(h.URL+"/accounts/"+account.ID+"/boards"))
	b.waitFor("told the feature is off", `document.querySelector('[data-testid="not-allowed"]')?.dataset.reason === 'feature'
		&& document.querySelector('[data-testid="not-allowed"]')?.dataset.feature === 'kanban'`)
	b.step("go back to the account", chromedp.Click(testID("not-allowed-back")))
	b.waitPath("/accounts/" + account.ID)
	b.assertClean()
}
