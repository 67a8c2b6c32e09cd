package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// The super admin reads the API contract, the job queue and an account's
// Data & privacy page against the real hub, and downloads the export.
func TestOperatorPagesAgainstTheHub(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Acme Dados"}, http.StatusCreated, &account)

	b := newBrowser(t)
	b.step("log in", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")),
		chromedp.SendKeys(testID("login-email"), adminEmail), chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")))
	b.waitFor("the console after login", `location.pathname !== '/login'`)

	b.step("open the API docs", chromedp.Navigate(h.URL+"/api-docs"), chromedp.WaitVisible(testID("api-docs-count")))
	b.waitFor("the card routes", `document.querySelector('[data-key="POST /api/v1/accounts/{accountID}/boards/{boardID}/cards"]') !== null`)
	b.step("search and open a route", chromedp.SendKeys(testID("api-docs-search"), "bulk-move"),
		chromedp.Click(`[data-testid="api-operation"] button`), chromedp.WaitVisible(testID("api-operation-details")))
	b.waitFor("the scope of the route", `document.querySelector('[data-testid="api-operation-details"]').textContent.includes('kanban:write')`)

	b.step("open the jobs", chromedp.Click(testID("nav-jobs")), chromedp.WaitVisible(testID("jobs-totals")))

	b.step("open Data & privacy", chromedp.Navigate(h.URL+"/accounts/"+account.ID+"/data"), chromedp.WaitVisible(testID("export-start")))
	b.step("export", chromedp.Click(testID("export-start")), chromedp.WaitVisible(testID("export-done")))
	b.waitFor("the deletion form", `document.querySelector('[data-testid="deletion-form"]') !== null`)
}
