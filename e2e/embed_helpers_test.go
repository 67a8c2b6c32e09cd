package e2e

// Helpers for the embedding tests (embed_test.go): the Chatwoot simulator as a subprocess, a page
// server on a third origin, a browser that can look inside cross-origin iframes, and the hub and
// Chatwoot set-up done over HTTP.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ---- the Chatwoot simulator ------------------------------------------------------------------

// chatwootSim is a running `whatpro chatwoot-sim`. It listens on 127.0.0.1 and the browser
// reaches it as http://localhost:<port>: another origin (and site) than the hub's 127.0.0.1.
type chatwootSim struct {
	URL  string // http://localhost:<port>, the Chatwoot origin
	Seed simSeed
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan error
}

type simSeed struct {
	Accounts []struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"accounts"`
	Users []simUser `json:"users"`
}

type simUser struct {
	ID             int    `json:"id"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Password       string `json:"password"`
	APIAccessToken string `json:"api_access_token"`
}

func (s *chatwootSim) user(t *testing.T, email string) simUser {
	t.Helper()
	for _, u := range s.Seed.Users {
		if u.Email == email {
			return u
		}
	}
	t.Fatalf("the simulator's seed has no user %s", email)
	return simUser{}
}

// startChatwootSim runs the simulator with dashboardScripts as its DASHBOARD_SCRIPTS HTML and
// stops it (SIGTERM) when the test ends.
func startChatwootSim(t *testing.T, dashboardScripts string) *chatwootSim {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dashboard-scripts.html")
	if err := os.WriteFile(file, []byte(dashboardScripts), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &chatwootSim{logs: &syncBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(binPath, "chatwoot-sim", "--addr", "127.0.0.1:0", "--dashboard-scripts", file)
	s.cmd.Stderr = s.logs
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start the simulator: %v", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
			t.Errorf("the simulator did not stop within 10 s of SIGTERM")
		}
		if t.Failed() {
			t.Logf("simulator output:\n%s", s.logs)
		}
	})

	lines := make(chan string, 2)
	go func() {
		r := bufio.NewReader(stdout)
		for i := 0; i < 2; i++ {
			line, err := r.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- strings.TrimSpace(line)
		}
		_, _ = io.Copy(s.logs, r)
	}()
	read := func(what string) string {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the simulator ended before printing its %s\n%s", what, s.logs)
			}
			return line
		case <-time.After(waitTimeout):
			t.Fatalf("the simulator printed no %s within %s\n%s", what, waitTimeout, s.logs)
		}
		return ""
	}
	if err := json.Unmarshal([]byte(read("seed")), &s.Seed); err != nil {
		t.Fatalf("the simulator's seed line: %v", err)
	}
	base, err := url.Parse(read("base URL"))
	if err != nil {
		t.Fatalf("the simulator's base URL: %v", err)
	}
	s.URL = "http://localhost:" + base.Port()
	return s
}

// ---- a page server on a third origin -----------------------------------------------------------

// thirdOrigin serves test pages on http://127.0.0.1:<port>: neither the hub's origin nor
// Chatwoot's.
type thirdOrigin struct{ URL string }

// hostileScript is what a page of another origin, framed inside Chatwoot, would try: ask for a
// token as if it were a hub page, report every message it receives to its parent (the test
// reads the reports there), and on command forward payloads to a sibling frame, say hello
// again, or answer a flush. Each hello and forward is followed by a report of it, and a flush
// by its answer, posted after everything that arrived before: the test waits for these instead
// of waiting for time to pass.
const hostileScript = `
function hello() {
  window.parent.postMessage({ type: 'whatpro:hello', nonce: 'hostile-nonce-0123456789' }, '*');
  window.parent.postMessage({ type: 'e2e:hello-sent' }, '*');
}
window.addEventListener('message', function (e) {
  if (e.data && e.data.cmd === 'forward') {
    try { window.parent.frames[e.data.index].postMessage(e.data.payload, '*'); } catch (err) {}
    window.parent.postMessage({ type: 'e2e:forwarded' }, '*');
    return;
  }
  if (e.data && e.data.cmd === 'hello') { hello(); return; }
  if (e.data && e.data.cmd === 'flush') { window.parent.postMessage({ type: 'e2e:flushed', id: e.data.id }, '*'); return; }
  window.parent.postMessage({ type: 'e2e:report', from: e.origin, data: e.data }, '*');
});
hello();
`

func startThirdOrigin(t *testing.T) *thirdOrigin {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /frame", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>third origin</title></head><body>
<h1>A page on another origin</h1><iframe id="target" width="600" height="400"></iframe>
<script>const f = document.getElementById('target'); f.addEventListener('load', () => { document.body.dataset.targetLoaded = 'yes'; });
f.src = %s;</script></body></html>`, jsString(r.URL.Query().Get("src")))
	})
	mux.HandleFunc("GET /hostile", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>hostile</title></head><body>hostile<script>%s</script></body></html>`, hostileScript)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &thirdOrigin{URL: srv.URL}
}

// ---- a browser that sees into iframes ----------------------------------------------------------

// embedBrowser is the browser of browser_test.go with Chromium's site isolation turned off, so
// that cross-origin iframes stay in the page's process: the CSP recorder then runs in every
// frame and the tests can evaluate inside the hub's iframes. Origins, postMessage and CSP behave
// the same; only the process model differs. It also keeps every console line and every request.
type embedBrowser struct {
	*browser

	mu       sync.Mutex
	contexts map[cdp.FrameID]frameContext
	console  []string
	requests []string
}

type frameContext struct {
	id     runtime.ExecutionContextID
	unique string
}

// siteIsolationOff keeps cross-origin iframes in their page's process.
var siteIsolationOff = []chromedp.ExecAllocatorOption{
	chromedp.Flag("disable-site-isolation-trials", true),
	chromedp.Flag("disable-features", "IsolateOrigins,site-per-process"),
}

func newEmbedBrowser(t *testing.T) *embedBrowser {
	t.Helper()
	eb := &embedBrowser{browser: newBrowser(t, siteIsolationOff...), contexts: map[cdp.FrameID]frameContext{}}
	if err := chromedp.Listen(eb.ctx, eb.record); err != nil {
		t.Fatalf("listen to the tab: %v", err)
	}
	// Runs before the harness's screenshot and console-error cleanup: the whole console helps
	// more here (the dashboard script's lines are not errors).
	t.Cleanup(func() {
		if t.Failed() {
			eb.mu.Lock()
			t.Logf("browser console:\n  %s", strings.Join(eb.console, "\n  "))
			eb.mu.Unlock()
		}
	})
	return eb
}

func (b *embedBrowser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExecutionContextCreated:
		var aux struct {
			FrameID   cdp.FrameID `json:"frameId"`
			IsDefault bool        `json:"isDefault"`
		}
		if json.Unmarshal([]byte(ev.Context.AuxData), &aux) == nil && aux.IsDefault && aux.FrameID != "" {
			b.contexts[aux.FrameID] = frameContext{id: ev.Context.ID, unique: ev.Context.UniqueID}
		}
	case *runtime.EventExecutionContextDestroyed:
		for f, c := range b.contexts {
			if c.unique == ev.ExecutionContextUniqueID {
				delete(b.contexts, f)
			}
		}
	case *runtime.EventExecutionContextsCleared:
		clear(b.contexts)
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, arg := range ev.Args {
			var s string
			if len(arg.Value) > 0 && json.Unmarshal([]byte(arg.Value), &s) == nil {
				parts = append(parts, s)
			} else if len(arg.Value) > 0 {
				parts = append(parts, string(arg.Value))
			} else {
				parts = append(parts, arg.Description)
			}
		}
		b.console = append(b.console, string(ev.Type)+": "+strings.Join(parts, " "))
	case *log.EventEntryAdded:
		b.console = append(b.console, "log "+string(ev.Entry.Level)+": "+ev.Entry.Text)
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.Method+" "+ev.Request.URL)
	}
}

// mark returns positions in the console and request logs, for the *Since readers.
func (b *embedBrowser) mark() (console, requests int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.console), len(b.requests)
}

// whatproLinesSince returns the console lines of the dashboard script ([whatpro] …) since mark.
func (b *embedBrowser) whatproLinesSince(mark int) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, line := range b.console[mark:] {
		if _, text, ok := strings.Cut(line, ": "); ok && strings.HasPrefix(text, "[whatpro]") && !strings.HasPrefix(line, "log ") {
			out = append(out, line)
		}
	}
	return out
}

func (b *embedBrowser) consoleSince(mark int) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console[mark:]...)
}

func (b *embedBrowser) requestsSince(mark int) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests[mark:]...)
}

// frames lists the child frames of the page (any depth).
func (b *embedBrowser) frames() []*cdp.Frame {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil || tree.FrameTree == nil {
		return nil
	}
	var out []*cdp.Frame
	var walk func(ft *page.FrameTree)
	walk = func(ft *page.FrameTree) {
		for _, c := range ft.ChildFrames {
			out = append(out, c.Frame)
			walk(c)
		}
	}
	walk(tree.FrameTree)
	return out
}

// frameEval evaluates expr in the main world of the first child frame whose URL starts with
// prefix.
func frameEval[T any](b *embedBrowser, prefix, expr string) (T, error) {
	var zero T
	var id runtime.ExecutionContextID
	for _, f := range b.frames() {
		if strings.HasPrefix(f.URL, prefix) {
			b.mu.Lock()
			c, ok := b.contexts[f.ID]
			b.mu.Unlock()
			if ok {
				id = c.id
				break
			}
		}
	}
	if id == 0 {
		return zero, fmt.Errorf("no frame at %s", prefix)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, func(p *runtime.EvaluateParams) { p.ContextID = id }))
}

// waitFrame polls a condition inside the frame at prefix.
func (b *embedBrowser) waitFrame(what, prefix, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, err := frameEval[bool](b, prefix, "Boolean("+cond+")")
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			state, _ := frameEval[string](b, prefix, `document.querySelector('[data-testid="embed-root"]')?.outerHTML.slice(0, 600) ?? document.body?.outerHTML.slice(0, 600) ?? ''`)
			b.t.Fatalf("waited %s for %s in the frame at %s (last error: %v)\nframe: %s", waitTimeout, what, prefix, err, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// assertFramesClean fails the test on CSP violations in the page or any of its frames, and on
// uncaught exceptions (browser_test.go's assertClean covers the top page).
func (b *embedBrowser) assertFramesClean() {
	b.t.Helper()
	b.assertClean()
	for _, f := range b.frames() {
		b.mu.Lock()
		c, ok := b.contexts[f.ID]
		b.mu.Unlock()
		if !ok {
			continue
		}
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]map[string]any](`window.__cspViolations ?? []`,
			func(p *runtime.EvaluateParams) { p.ContextID = c.id }))
		cancel()
		if err == nil && len(v) > 0 {
			b.t.Errorf("CSP violations in the frame %s: %v", f.URL, v)
		}
	}
}

// ---- set-up through the hub's and Chatwoot's APIs ---------------------------------------------

// embedEnv is a hub, a Chatwoot simulator on another origin whose DASHBOARD_SCRIPTS loads the
// hub's dashboard script, and a hub account linked to the simulator's account 1.
type embedEnv struct {
	hub       *hub
	sim       *chatwootSim
	super     *apiClient
	accountID string
}

func newEmbedEnv(t *testing.T) *embedEnv {
	t.Helper()
	h := startHub(t)
	sim := startChatwootSim(t, fmt.Sprintf(`<script src="%s/embed/dashboard-script.js"></script>`, h.URL))
	super := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	super.do("POST", "/api/v1/accounts", map[string]string{"name": "Acme no Chatwoot"}, http.StatusCreated, &account)
	admin := sim.user(t, "ana@acme.test")
	super.do("PUT", "/api/v1/accounts/"+account.ID+"/chatwoot", map[string]any{
		"base_url": sim.URL, "chatwoot_account_id": 1, "api_access_token": admin.APIAccessToken,
	}, http.StatusOK, nil)
	return &embedEnv{hub: h, sim: sim, super: super, accountID: account.ID}
}

// simAPI calls the simulator's account API with a user's api_access_token.
func (e *embedEnv) simAPI(t *testing.T, token, method, path string, body, out any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, e.sim.URL+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("api_access_token", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		t.Fatalf("simulator %s %s: %d %s", method, path, res.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("simulator %s %s: %v\n%s", method, path, err, data)
		}
	}
}

// simConversationIDs are what simConversation created in Chatwoot account 1.
type simConversationIDs struct{ InboxID, ConversationID int }

// simConversation creates, through Chatwoot's API with an administrator's api_access_token, an
// API inbox, a contact in it and a conversation with a first message.
func (e *embedEnv) simConversation(t *testing.T, token, inboxName, contactName, phone string) simConversationIDs {
	t.Helper()
	var inbox struct {
		ID int `json:"id"`
	}
	e.simAPI(t, token, "POST", "/api/v1/accounts/1/inboxes", map[string]any{"name": inboxName, "channel": map[string]any{"type": "api"}}, &inbox)
	var contact struct {
		Payload struct {
			Contact struct {
				ID int `json:"id"`
			} `json:"contact"`
			ContactInbox struct {
				SourceID string `json:"source_id"`
			} `json:"contact_inbox"`
		} `json:"payload"`
	}
	e.simAPI(t, token, "POST", "/api/v1/accounts/1/contacts", map[string]any{"name": contactName, "phone_number": phone, "inbox_id": inbox.ID}, &contact)
	var conversation struct {
		ID int `json:"id"`
	}
	e.simAPI(t, token, "POST", "/api/v1/accounts/1/conversations", map[string]any{
		"inbox_id": inbox.ID, "contact_id": contact.Payload.Contact.ID, "source_id": contact.Payload.ContactInbox.SourceID,
		"message": map[string]any{"content": "Oi, tudo bem?"},
	}, &conversation)
	if inbox.ID == 0 || conversation.ID == 0 {
		t.Fatalf("the simulator created inbox %d and conversation %d", inbox.ID, conversation.ID)
	}
	return simConversationIDs{InboxID: inbox.ID, ConversationID: conversation.ID}
}

// instanceToken signs a simulator user in and exchanges the session at the hub, as the dashboard
// script does (with Chatwoot's Origin), returning the hub's answer.
func (e *embedEnv) instanceToken(t *testing.T, email string) (token, expiresAt string) {
	t.Helper()
	u := e.sim.user(t, email)
	raw, _ := json.Marshal(map[string]string{"email": u.Email, "password": u.Password})
	res, err := http.Post(e.sim.URL+"/auth/sign_in", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("simulator sign-in: %d", res.StatusCode)
	}
	body, _ := json.Marshal(map[string]any{"access_token": res.Header.Get("access-token"), "client": res.Header.Get("client"),
		"uid": res.Header.Get("uid"), "chatwoot_account_id": 1})
	req, _ := http.NewRequest("POST", e.hub.URL+"/api/v1/auth/chatwoot", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.sim.URL)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || json.Unmarshal(data, &out) != nil || out.Token == "" {
		t.Fatalf("hub SSO: %d %s", res.StatusCode, data)
	}
	return out.Token, out.ExpiresAt
}

// loginToChatwoot signs in through the simulator's login form, as an agent would, and waits for
// the dashboard of the user's account.
func (e *embedEnv) loginToChatwoot(b *embedBrowser, email string) {
	b.t.Helper()
	u := e.sim.user(b.t, email)
	b.step("open Chatwoot's login", chromedp.Navigate(e.sim.URL+"/app/login"), chromedp.WaitVisible(testID("email_input")))
	b.step("log in to Chatwoot as "+email,
		chromedp.SendKeys(testID("email_input"), u.Email),
		chromedp.SendKeys(testID("password_input"), u.Password),
		chromedp.Click(testID("submit_button")),
	)
	b.waitFor("the Chatwoot dashboard", `location.pathname.startsWith('/app/accounts/') && document.querySelector('aside nav ul') !== null`)
}

// openConversationTab opens a conversation in Chatwoot's dashboard, then its "WhatPro Hub" tab
// (the Dashboard App), and waits until the tab's page holds a token.
func (e *embedEnv) openConversationTab(b *embedBrowser, conversationID int) {
	b.t.Helper()
	b.step("open the conversation", chromedp.Navigate(fmt.Sprintf("%s/app/accounts/1/conversations/%d", e.sim.URL, conversationID)))
	b.waitFor("the conversation's tabs", `[...document.querySelectorAll('.conversation-details-wrap a')].some(a => a.textContent.trim() === 'WhatPro Hub')`)
	eval[bool](b.browser, `([...document.querySelectorAll('.conversation-details-wrap a')].find(a => a.textContent.trim() === 'WhatPro Hub').click(), true)`)
	b.waitFor("the Dashboard App frame", `document.querySelector('iframe[id^="dashboard-app--frame-"]') !== null`)
	b.waitFrame("the tab signed in", e.hub.URL+"/embed/conversation", `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`)
}

// postAppContext posts a Dashboard App context to the conversation tab from Chatwoot's page, as
// Chatwoot does: a JSON string, to '*'.
func postAppContext(b *embedBrowser, data map[string]any) {
	b.t.Helper()
	raw, err := json.Marshal(map[string]any{"event": "appContext", "data": data})
	if err != nil {
		b.t.Fatal(err)
	}
	eval[bool](b.browser, fmt.Sprintf(`(document.querySelector('iframe[id^="dashboard-app--frame-"]').contentWindow.postMessage(%s, '*'), true)`, jsString(string(raw))))
}

// conversationShown reads the conversation the tab at prefix shows (from the hub's answer).
func conversationShown(b *embedBrowser, prefix string) map[string]string {
	b.t.Helper()
	got, err := frameEval[map[string]string](b, prefix, `(() => {
  const text = (id) => document.querySelector('[data-testid="' + id + '"]')?.textContent.trim() ?? '';
  return { id: text('conversation-id'), inbox: document.querySelector('[data-testid="conversation-inbox"]')?.dataset.inboxId ?? '',
    phone: text('conversation-contact-phone'),
    status: document.querySelector('[data-testid="conversation-status"]')?.dataset.status ?? '' };
})()`)
	if err != nil {
		b.t.Fatalf("read the conversation tab: %v", err)
	}
	return got
}

// waitRequest waits until the browser has sent request ("METHOD URL") since mark.
func waitRequest(t *testing.T, b *embedBrowser, mark int, request string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !slices.Contains(b.requestsSince(mark), request) {
		if time.Now().After(deadline) {
			t.Fatalf("no request %s; requests: %v", request, b.requestsSince(mark))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// menuSelector is the CSS selector of a hub entry in Chatwoot's sidebar.
func menuSelector(feature string) string {
	return fmt.Sprintf(`[data-testid="whatpro-menu-%s"]`, feature)
}

func present(selector string) string {
	return fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(selector))
}
