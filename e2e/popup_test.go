package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Without a dashboard script, Chatwoot's conversation tab offers a sign-in
// button: the hub's login opens in a popup, and once the user is signed in
// there, the popup hands an instance token back to the tab on the hub's own
// origin, which then holds a validated token.
func TestEmbedSignInPopup(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Popup Account"}, http.StatusCreated, &account)
	const email, password = "agent-popup@example.com", "popup-Agent-passphrase-42"
	api.addPerson(account.ID, email, "Popup Agent", "agent", password)

	b := newBrowser(t)
	b.step("open the tab on its own", chromedp.Navigate(h.URL+"/embed/conversation"), chromedp.WaitVisible(testID("embed-sign-in")))
	opened := chromedp.WaitNewTarget(b.ctx, func(info *target.Info) bool { return strings.Contains(info.URL, "/login") })
	b.step("press sign in", chromedp.Click(testID("embed-sign-in")))
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(20 * time.Second):
		t.Fatal("no popup opened")
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	defer cancel()
	popup := attachTab(t, ctx, "popup")
	popup.step("log in in the popup",
		chromedp.WaitVisible(testID("login-email")),
		chromedp.SendKeys(testID("login-email"), email),
		chromedp.SendKeys(testID("login-password"), password),
		chromedp.Click(testID("login-submit")),
	)
	b.waitFor("the tab to hold a validated token", `document.querySelector('[data-auth="ok"]') !== null`)
	b.assertClean()
}
