package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Two tabs of one browser reload at the same moment, several times. Each
// page load turns the refresh cookie into an access token, and the hub ends
// the whole session when a refresh token is presented twice, so the tabs
// must refresh one at a time (Web Locks) and share the result
// (BroadcastChannel). Both stay signed in, and the session survives.
func TestTabsReloadingTogetherKeepTheSession(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)

	tab1 := newBrowser(t)
	tab1.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	tab1.step("log in",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")),
	)
	tab1.waitPath("/accounts")

	tab2 := tab1.newTab("tab2")
	tab2.step("open the sessions page", chromedp.Navigate(h.URL+"/sessions"), chromedp.WaitVisible(testID("sessions-table")))

	for round := range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, tab := range []*browser{tab1, tab2} {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(tab.ctx, waitTimeout)
				defer cancel()
				errs[i] = chromedp.Do(ctx, chromedp.Navigate(h.URL+"/sessions"))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: reload tab %d: %v", round, i+1, err)
			}
		}
		for _, tab := range []*browser{tab1, tab2} {
			tab.waitFor("the sessions page (not the login page)",
				`document.querySelector('[data-testid="sessions-table"] [data-current="true"]') !== null`)
		}
	}

	// One browser session, still open: no refresh token was presented twice.
	api := h.login(t, adminEmail, adminPassword)
	var sessions struct {
		Data []struct {
			Current   bool   `json:"current"`
			UserAgent string `json:"user_agent"`
		} `json:"data"`
	}
	api.do("GET", "/api/v1/sessions", nil, http.StatusOK, &sessions)
	browserSessions := 0
	for _, s := range sessions.Data {
		if !s.Current && strings.Contains(s.UserAgent, "Chrome") {
			browserSessions++
		}
	}
	if browserSessions != 1 {
		t.Fatalf("want the browser's one session still open, got %+v", sessions.Data)
	}
	tab1.assertClean()
	tab2.assertClean()
}
