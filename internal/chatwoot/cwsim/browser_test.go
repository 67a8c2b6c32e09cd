package cwsim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hubTestScript plays the dashboard script: it records what it sees when it
// runs, wraps history.pushState, tries to own window.onload (Chatwoot's
// entrypoint overrides it), and keeps a foreign <li> in the sidebar.
const hubTestScript = `
window.__hub = { appEmpty: document.getElementById('app').children.length === 0,
  config: !!window.chatwootConfig, pushes: [] };
const push = history.pushState;
history.pushState = function (s, t, u) { window.__hub.pushes.push(String(u)); return push.apply(this, arguments); };
window.onload = function () { window.__hub.onloadKept = true; };
new MutationObserver(function () {
  const ul = document.querySelector('aside > nav > ul');
  if (ul && !ul.querySelector('[data-hub-entry]')) {
    const li = document.createElement('li');
    li.setAttribute('data-hub-entry', '');
    li.textContent = 'Hub';
    ul.appendChild(li);
    window.__hub.inserted = (window.__hub.inserted || 0) + 1;
  }
}).observe(document.documentElement, { childList: true, subtree: true });
`

// hubAppPage is the Dashboard App: it keeps every appContext it receives
// and asks again with fetch-info once loaded.
const hubAppPage = `<!DOCTYPE html><html><body><script src="/hub-app.js"></script></body></html>`

const hubAppScript = `
window.__ctx = [];
window.addEventListener('message', function (e) { window.__ctx.push(JSON.parse(e.data)); });
window.addEventListener('load', function () { parent.postMessage('chatwoot-dashboard-app:fetch-info', '*'); });
`

func TestBrowserLoginDashboardAndDashboardApp(t *testing.T) {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is required under CI")
		}
		t.Skip("chromium not installed")
	}
	s := New(DefaultSeed(), Options{DashboardScripts: `<script src="/hub-test.js"></script>`})
	t.Cleanup(s.Close)
	mux := http.NewServeMux()
	serve := func(ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			io.WriteString(w, body)
		}
	}
	mux.Handle("/hub-test.js", serve("text/javascript", hubTestScript))
	mux.Handle("/hub-app.html", serve("text/html", hubAppPage))
	mux.Handle("/hub-app.js", serve("text/javascript", hubAppScript))
	mux.Handle("/", s.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	if _, err := s.AddDashboardApp(1, "Hub", srv.URL+"/hub-app.html"); err != nil {
		t.Fatal(err)
	}
	ib, _ := s.AddInbox(1, InboxSpec{Name: "WA", MemberIDs: []int{agentAcme}})
	ct, _ := s.AddContact(1, ContactSpec{Name: "Maria", PhoneNumber: "+5511999990000", InboxID: ib.ID, SourceID: "5511999990000"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5511999990000"})
	s.AddMessage(1, cv.DisplayID, MessageSpec{MessageType: "incoming", Content: "oi"})

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	agent := userOf(s, agentAcme)
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	must("login", chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/app/login"),
		chromedp.WaitVisible(`[data-testid="email_input"]`),
		chromedp.SendKeys(`[data-testid="email_input"]`, agent.Email),
		chromedp.SendKeys(`[data-testid="password_input"]`, agent.Password),
		chromedp.Click(`[data-testid="submit_button"]`),
		chromedp.WaitReady(`aside > nav > ul > li[data-hub-entry]`),
	))
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	must("path", err)
	if path != "/app/accounts/1/dashboard" {
		t.Errorf("landed on %s", path)
	}

	// The cookie the page wrote is exactly what Chatwoot's SPA writes.
	cookie, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.cookie.split('; ').find(c => c.startsWith('cw_d_session_info=')).slice(18)`))
	must("cookie", err)
	info, err := ParseSessionCookie(cookie)
	must("parse cookie", err)
	if info.UID != agent.Email || info.TokenType != "Bearer" || info.Headers["content-type"] == "" || info.Headers["authorization"] == "" {
		t.Errorf("cookie headers = %v", info.Headers)
	}
	if got := EncodeSessionCookie(info.Headers); got != cookie {
		t.Errorf("browser cookie differs from EncodeSessionCookie:\n%s\n%s", cookie, got)
	}

	checks := map[string]string{
		"script ran before mount":      `window.__hub.appEmpty && window.__hub.config`,
		"window.onload overridden":     `window.__hub.onloadKept !== true`,
		"nested #app":                  `!!document.querySelector('#app[data-v-app] > #app[dir="ltr"]')`,
		"one aside":                    `document.querySelectorAll('aside').length === 1`,
		"account switcher":             `document.querySelector('#sidebar-account-switcher').dataset.accountId === '1'`,
		"search link":                  `!!document.querySelector('aside a[href$="/search"]')`,
		"aside + main":                 `document.querySelector('aside + main').classList.contains('bg-n-surface-1')`,
		"vue anchors":                  `[...document.querySelector('aside nav > ul').childNodes].some(n => n.nodeType === 8) && document.querySelector('aside nav > ul').firstChild.nodeType === 3`,
		"role=button headers":          `document.querySelectorAll('aside nav > ul > li > [role=button][draggable=false][title]').length >= 4`,
		"hidden children inline":       `[...document.querySelectorAll('aside nav li > ul')].some(u => u.style.display === 'none')`,
		"active leaf has aria-current": `!!document.querySelector('aside a[aria-current="page"][href$="/dashboard"]')`,
	}
	for name, js := range checks {
		okv, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err != nil || !okv {
			t.Errorf("%s: %v %v", name, okv, err)
		}
	}

	// SPA navigation: group header click → replaceState + pushState; the
	// foreign entry survives patching and a keyed re-render, and is lost
	// (then re-added by the script) when the aside is recreated.
	must("navigate", chromedp.Do(ctx, chromedp.Click(`aside [role=button][title="Contacts"]`), chromedp.WaitReady(`aside + main main`)))
	spa, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`location.pathname.endsWith('/contacts') && window.__hub.pushes.at(-1).endsWith('/contacts') && window.__hub.inserted === 1`))
	if err != nil || !spa {
		t.Errorf("SPA navigation: %v %v", spa, err)
	}
	survived, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`__cwsim.rerenderSidebar(); document.querySelector('aside nav > ul > li[data-hub-entry]') !== null && window.__hub.inserted === 1`))
	if err != nil || !survived {
		t.Errorf("re-render destroyed the foreign entry: %v %v", survived, err)
	}
	must("recreate", chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`__cwsim.recreateSidebar()`),
		void(chromedp.Poll[bool](`window.__hub.inserted === 2`, chromedp.WithPollingTimeout(10*time.Second)))))
	dark, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`__cwsim.setTheme('dark'); document.body.classList.contains('dark') && document.documentElement.style.colorScheme === 'dark'`))
	if err != nil || !dark {
		t.Errorf("dark mode: %v %v", dark, err)
	}

	// Dashboard App: lazily mounted on its tab, appContext as a JSON string
	// on load and again on fetch-info.
	conv := "/app/accounts/1/conversations/" + strconv.Itoa(cv.DisplayID)
	must("open conversation", chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`__cwsim.navigate(`+strconv.Quote(conv)+`)`),
		chromedp.WaitReady(`.conversation-details-wrap`),
	))
	before, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('iframe[id^="dashboard-app--frame-"]') === null`))
	if err != nil || !before {
		t.Error("the app frame must not exist before its tab is opened")
	}
	must("open app tab", chromedp.Do(ctx,
		chromedp.Click(`.conversation-details-wrap ul li:nth-child(2) a`),
		void(chromedp.Poll[bool](`(() => { const f = document.getElementById('dashboard-app--frame-0-0');
			return !!(f && f.contentWindow.__ctx && f.contentWindow.__ctx.length >= 2); })()`,
			chromedp.WithPollingTimeout(10*time.Second))),
	))
	ctxJS := `document.getElementById('dashboard-app--frame-0-0').contentWindow.__ctx[1]`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](ctxJS))
	must("appContext", err)
	if got["event"] != "appContext" || num(dig(t, got, "data", "conversation", "id")) != cv.DisplayID ||
		num(dig(t, got, "data", "contact", "id")) != ct.ID || dig(t, got, "data", "currentAgent", "email") != agent.Email ||
		dig(t, got, "data", "conversation", "messages", 0, "content") != "oi" {
		t.Errorf("appContext = %v", got)
	}
	attrs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`document.getElementById('dashboard-app--frame-0-0').getAttributeNames().filter(n => !n.startsWith('data-v-'))`))
	if err != nil || len(attrs) != 2 {
		t.Errorf("iframe attributes = %v (want only id and src)", attrs)
	}
}

// void drops an action's result so it can run in chromedp.Do.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}
