package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// A console page loaded signed out asks for a session once and is told
// "nobody" with a 204, not a 401 the browser would log as a failed
// request in its console; then it shows the login form, with no console
// error.
func TestSignedOutPageLoadLogsNoFailedRequest(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	b := newBrowser(t)
	b.step("open the console signed out", chromedp.Navigate(h.URL+"/"), chromedp.WaitVisible(testID("login-email")))
	statuses := eval[[]int](b, `performance.getEntriesByType('resource')
		.filter((e) => e.name.includes('/api/v1/auth/refresh')).map((e) => e.responseStatus)`)
	if len(statuses) != 1 || statuses[0] != 204 {
		t.Fatalf("refresh answers on a signed-out load: %v, want one 204", statuses)
	}
	b.assertClean()
}
