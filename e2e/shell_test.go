package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// The app loads under the hub's CSP with no violation, speaks Portuguese by
// default and switches to English from the language switcher.
func TestShellRendersInBothLanguages(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	b := newBrowser(t)

	b.step("open /", chromedp.Navigate(h.URL+"/"), chromedp.WaitVisible(testID("app-shell")))
	// Without a session the shell shows the login page.
	b.waitPath("/login")
	b.waitText(`[data-testid="page-title"]`, "Entrar no WhatPro Hub")
	b.waitText(`[data-testid="login-submit"]`, "Entrar")
	if lang := eval[string](b, "document.documentElement.lang"); lang != "pt-BR" {
		t.Errorf("html lang = %q, want pt-BR", lang)
	}
	b.screenshot("login-pt-BR")

	b.chooseOption(`[data-testid="locale-switcher"]`, "en")
	b.waitText(`[data-testid="page-title"]`, "Log in to WhatPro Hub")
	b.waitText(`[data-testid="login-submit"]`, "Log in")
	if lang := eval[string](b, "document.documentElement.lang"); lang != "en" {
		t.Errorf("html lang = %q, want en", lang)
	}
	b.waitFor("the English document title", `document.title === "Log in · WhatPro Hub"`)

	// The choice survives a reload.
	b.step("reload", chromedp.Reload(), chromedp.WaitVisible(testID("app-shell")))
	b.waitText(`[data-testid="page-title"]`, "Log in to WhatPro Hub")

	// Dark mode, as Chatwoot marks it: a dark class on <body>.
	for range 3 {
		if eval[bool](b, `document.body.classList.contains('dark')`) {
			break
		}
		b.step("toggle the theme", chromedp.Click(testID("theme-toggle")))
	}
	b.waitFor("dark mode", `document.body.classList.contains('dark')`)
	b.screenshot("login-en-dark")

	b.assertClean()
}
