package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A super admin logs in, opens an account from the account list, joins it,
// creates an API key and sees its secret once. Another session then ends the browser's session, and the
// browser's next API call lands it on the login page, which says why.
func TestLoginCreateKeyAndRevokedSessionLandsOnLogin(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)

	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "E2E Account"}, http.StatusCreated, &account)
	if account.ID == "" {
		t.Fatal("the created account has no id")
	}

	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.step("log in",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")),
	)
	// A super admin without memberships starts at the account list.
	b.waitPath("/accounts")
	row := chromedp.CSS(fmt.Sprintf(`[data-testid="account-row"][data-account-id=%s]`, jsString(account.ID)))
	b.step("see the account", chromedp.WaitVisible(row))
	b.screenshot("accounts")

	b.step("open the account", chromedp.Click(chromedp.CSS(
		fmt.Sprintf(`[data-account-id=%s] [data-testid="account-open"]`, jsString(account.ID)))))
	b.waitPath("/accounts/" + account.ID)
	b.step("open API keys", chromedp.WaitVisible(testID("nav-api-keys")), chromedp.Click(testID("nav-api-keys")))
	b.waitPath("/accounts/" + account.ID + "/api-keys")
	// Keys are issued only to members: the super admin joins the account from the page.
	b.step("join the account",
		chromedp.WaitVisible(testID("api-keys-table")),
		chromedp.Click(testID("join-account-submit")),
		chromedp.WaitVisible(testID("api-key-name")),
	)

	b.step("create a key",
		chromedp.SendKeys(testID("api-key-name"), "E2E key"),
		chromedp.Click(testID("api-key-scope-account:read")),
		chromedp.Click(testID("api-key-scope-users:read")),
		chromedp.Click(testID("api-key-create")),
		chromedp.WaitVisible(testID("api-key-secret")),
	)
	ctx := b.ctx
	secret, err := chromedp.Run(ctx, chromedp.Value(testID("api-key-secret")))
	if err != nil {
		t.Fatalf("read the secret: %v", err)
	}
	if !strings.HasPrefix(secret, "wp_live_") {
		t.Fatalf("secret = %q, want a wp_live_ key", secret)
	}
	b.waitFor("the one-time warning", `document.querySelector('[data-testid="api-key-secret-warning"]') !== null`)
	b.screenshot("api-key-secret")

	b.step("close the secret", chromedp.Click(testID("api-key-secret-close")), chromedp.WaitNotPresent(testID("api-key-secret")))
	b.waitFor("the new key in the list", `document.querySelectorAll('[data-testid="api-key-row"]').length === 1`)
	if eval[bool](b, fmt.Sprintf(`document.documentElement.outerHTML.includes(%s)`, jsString(secret))) {
		t.Error("the secret is still in the page after the dialog closed")
	}
	// The key works, with the scopes it was given.
	key := &apiClient{t: t, base: h.URL, token: secret}
	key.do("GET", "/api/v1/accounts/"+account.ID+"/users", nil, http.StatusOK, nil)

	// Another session ends the browser's.
	var sessions struct {
		Data []struct {
			ID        string `json:"id"`
			Current   bool   `json:"current"`
			UserAgent string `json:"user_agent"`
		} `json:"data"`
	}
	api.do("GET", "/api/v1/sessions", nil, http.StatusOK, &sessions)
	var browserSession []string
	for _, s := range sessions.Data {
		if !s.Current && strings.Contains(s.UserAgent, "Chrome") {
			browserSession = append(browserSession, s.ID)
		}
	}
	if len(browserSession) != 1 {
		t.Fatalf("want exactly one browser session besides this one, got %+v", sessions.Data)
	}
	api.do("DELETE", "/api/v1/sessions/"+browserSession[0], nil, http.StatusNoContent, nil)

	// The next click that calls the API finds the session gone.
	b.step("open users", chromedp.Click(testID("nav-users")))
	b.waitPath("/login")
	b.step("see why", chromedp.WaitVisible(testID("login-message")))
	b.waitText(`[data-testid="login-message"]`, "Sua sessão foi encerrada. Entre de novo para continuar.")
	b.screenshot("session-ended")

	b.assertClean()
}
