package e2e

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
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

// The sign-in popup speaks the language of the Chatwoot page that opened it:
// the opener passes its locale, which the popup takes only when it is one of
// the hub's (else its own default).
func TestEmbedSignInPopupFollowsOpenerLanguage(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	en, err := flatLocale(filepath.Join(repoRoot, "web", "src", "locales", "en.json"))
	if err != nil {
		t.Fatal(err)
	}
	pt, err := flatLocale(filepath.Join(repoRoot, "web", "src", "locales", "pt-BR.json"))
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	for _, c := range []struct{ opener, lang, submit string }{
		{"en-US", "en", en["LOGIN.SUBMIT"]},
		{"pt-BR", "pt-BR", pt["LOGIN.SUBMIT"]},
	} {
		tab := b.newTab("opener " + c.opener)
		if _, err := chromedp.Call(tab.ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: `Object.defineProperty(navigator, 'language', {get: () => ` + jsString(c.opener) + `})`}); err != nil {
			t.Fatal(err)
		}
		tab.step("open the tab on its own", chromedp.Navigate(h.URL+"/embed/conversation"), chromedp.WaitVisible(testID("embed-sign-in")))
		opened := chromedp.WaitNewTarget(tab.ctx, func(info *target.Info) bool { return strings.Contains(info.URL, "/login") })
		tab.step("press sign in", chromedp.Click(testID("embed-sign-in")))
		var id target.ID
		select {
		case id = <-opened:
		case <-time.After(20 * time.Second):
			t.Fatal("no popup opened")
		}
		ctx, cancel := chromedp.NewContext(tab.ctx, chromedp.WithTargetID(id))
		popup := attachTab(t, ctx, "popup "+c.opener)
		popup.step("wait for the login form", chromedp.WaitVisible(testID("login-submit")))
		if got := eval[string](popup, `document.documentElement.lang`); got != c.lang {
			t.Errorf("opener %s: popup lang = %q, want %q", c.opener, got, c.lang)
		}
		popup.waitText(`[data-testid="login-submit"]`, c.submit)
		popup.checkPage("popup "+c.opener, true, c.lang)
		cancel()
	}

	// A locale the hub does not speak (or anything else) is not taken.
	tab := b.newTab("tampered")
	tab.step("open a popup URL naming another locale", chromedp.Navigate(h.URL+"/login?popup=1&locale=fr"), chromedp.WaitVisible(testID("login-submit")))
	if got := eval[string](tab, `document.documentElement.lang`); got != "pt-BR" {
		t.Errorf("locale=fr: lang = %q, want the default pt-BR", got)
	}
	tab.waitText(`[data-testid="login-submit"]`, pt["LOGIN.SUBMIT"])
}
