package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The hub runs on 127.0.0.1 and the Chatwoot simulator on localhost: different origins (and
// sites), as a real installation. The simulator's DASHBOARD_SCRIPTS loads the hub's dashboard
// script, and hub account ↔ Chatwoot account 1 are linked through the hub's API.

// An agent opens Chatwoot and finds the hub's menus for the enabled features; a panel opens the
// hub page signed in as that agent; a third-origin frame in the same page gets no token; the
// administrator also sees Hub admin; a feature the super admin turns off disappears.
func TestEmbedMenusInChatwoot(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	third := startThirdOrigin(t)

	b := newEmbedBrowser(t)
	env.loginToChatwoot(b, "bruno@acme.test")
	b.waitPath("/app/accounts/1/dashboard")
	b.waitFor("the Kanban menu", present(menuSelector("kanban")))
	b.waitFor("the Internal chat menu", present(menuSelector("internal_chat")))
	if eval[bool](b.browser, present(menuSelector("hub_admin"))) {
		t.Error("an agent sees the Hub admin menu")
	}
	// The entries are the last items of Chatwoot's own list, built like a native entry.
	if got := eval[string](b.browser, `[...document.querySelector('aside > nav > ul').children].slice(-2).map(li => li.dataset.whatproEntry).join(',')`); got != "kanban,internal_chat" {
		t.Errorf("the sidebar ends with %q, want kanban,internal_chat", got)
	}
	native := eval[map[string]string](b.browser, `(() => {
  const cs = (el) => getComputedStyle(el);
  const ours = document.querySelector('[data-testid="whatpro-menu-kanban"]');
  const theirs = [...document.querySelectorAll('aside nav > ul > li > [role="button"]')].find(el => !el.closest('[data-whatpro-entry]') && el.className.includes('text-n-slate-11'));
  return { ourColor: cs(ours).color, nativeColor: cs(theirs).color, ourHeight: cs(ours).height, nativeHeight: cs(theirs).height,
    ourFont: cs(ours.querySelector('.truncate')).fontSize, nativeFont: cs(theirs.querySelector('.truncate')).fontSize };
})()`)
	if native["ourColor"] != native["nativeColor"] || native["ourHeight"] != native["nativeHeight"] || native["ourFont"] != native["nativeFont"] {
		t.Errorf("the hub entry does not look like a native one: %v", native)
	}
	b.screenshot("agent-menus-light")

	// Vue re-renders the menu, then recreates the whole sidebar: the entries come back.
	b.step("re-render the sidebar", chromedp.Click(`[data-cwsim-action="rerender"]`))
	b.waitFor("the entries after a re-render", `[...document.querySelector('aside > nav > ul').children].slice(-2).map(li => li.dataset.whatproEntry).join(',') === 'kanban,internal_chat'`)
	b.step("recreate the sidebar", chromedp.Click(`[data-cwsim-action="recreate"]`))
	b.waitFor("the entries in the new sidebar", present(menuSelector("kanban"))+` && document.querySelectorAll('[data-whatpro-entry]').length === 2`)
	b.step("collapse the sidebar", chromedp.Click(`[data-cwsim-action="collapse"]`))
	b.waitFor("the collapsed entries", `document.querySelector('[data-whatpro-entry="kanban"]')?.dataset.whatproForm === 'collapsed'`)
	b.screenshot("agent-menus-collapsed")
	b.step("expand the sidebar", chromedp.Click(`[data-cwsim-action="collapse"]`))
	b.waitFor("the expanded entries", `document.querySelector('[data-whatpro-entry="kanban"]')?.dataset.whatproForm === 'expanded'`)

	// Dark mode, as Chatwoot does it (body.dark): the entries follow.
	b.step("switch Chatwoot to dark", chromedp.Click(`[data-cwsim-action="theme"]`))
	b.waitFor("dark mode", `document.body.classList.contains('dark')`)
	dark := eval[[]string](b.browser, `[getComputedStyle(document.querySelector('[data-testid="whatpro-menu-kanban"]')).color,
  getComputedStyle([...document.querySelectorAll('aside nav > ul > li > [role="button"]')].find(el => !el.closest('[data-whatpro-entry]') && el.className.includes('text-n-slate-11'))).color]`)
	if len(dark) != 2 || dark[0] != dark[1] || dark[0] != "rgb(176, 180, 186)" {
		t.Errorf("in dark mode the hub entry's colour is %v, want the native rgb(176, 180, 186)", dark)
	}
	b.screenshot("agent-menus-dark")

	// (d) The Kanban panel loads the hub page, signed in as this agent through the handshake.
	panelURL := fmt.Sprintf("%s/embed/app/kanban?account=%s", env.hub.URL, env.accountID)
	b.step("open Kanban", chromedp.Click(menuSelector("kanban")))
	b.waitFor("the panel", fmt.Sprintf(`document.querySelector('[data-testid="whatpro-panel"]')?.getAttribute('src') === %s`, jsString(panelURL)))
	if allow := eval[string](b.browser, `document.querySelector('[data-testid="whatpro-panel"]').getAttribute('allow')`); allow != "clipboard-write" {
		t.Errorf("panel allow = %q", allow)
	}
	b.waitFor("focus in the panel", `document.activeElement?.dataset.testid === 'whatpro-panel-close'`)
	b.waitFrame("the hub page signed in", panelURL, `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`)
	b.waitFrame("the Kanban board", panelURL, `document.querySelector('[data-testid="kanban-board"]')?.dataset.status === 'ready'`)
	if theme, _ := frameEval[string](b, panelURL, `document.querySelector('[data-testid="embed-root"]').dataset.theme`); theme != "dark" {
		t.Errorf("the hub page's theme is %q, want Chatwoot's dark", theme)
	}
	if stored, _ := frameEval[int](b, panelURL, `localStorage.length + sessionStorage.length + document.cookie.length`); stored != 0 {
		t.Errorf("the hub page stored something (%d characters/items)", stored)
	}
	// The panel covers exactly Chatwoot's main area.
	if d := eval[float64](b.browser, `(() => { const m = document.querySelector('aside + main').getBoundingClientRect();
  const p = document.querySelector('[data-whatpro-panel-host]').getBoundingClientRect();
  return Math.abs(m.left - p.left) + Math.abs(m.top - p.top) + Math.abs(m.width - p.width) + Math.abs(m.height - p.height); })()`); d > 1 {
		t.Errorf("the panel is off Chatwoot's main area by %.1f px", d)
	}
	b.screenshot("agent-kanban-panel-dark")

	// (f) A frame of a third origin inside Chatwoot's page asks for a token, twice: it gets none
	// (checked below, once the hub's own frame has been answered after these hellos).
	eval[bool](b.browser, fmt.Sprintf(`(() => {
  window.__reports = [];
  window.addEventListener('message', (e) => { if (e.data && String(e.data.type).startsWith('e2e:')) window.__reports.push(e.data); });
  const f = document.createElement('iframe');
  f.src = %s; f.style.cssText = 'position:fixed;bottom:0;right:0;width:10px;height:10px';
  window.__hostile = f;
  document.body.appendChild(f);
  return true; })()`, jsString(third.URL+"/hostile")))
	helloes := func(n int) string {
		return fmt.Sprintf(`window.__reports.filter((r) => r.type === 'e2e:hello-sent').length === %d`, n)
	}
	b.waitFor("the hostile frame's hello", helloes(1))
	eval[bool](b.browser, `(window.__hostile.contentWindow.postMessage({ cmd: 'hello' }, '*'), true)`)
	b.waitFor("the hostile frame's second hello", helloes(2))

	// Escape closes the panel and gives the focus back to the menu entry.
	b.step("press Escape", chromedp.KeyEvent(kb.Escape))
	b.waitFor("the panel to close", `document.querySelector('[data-testid="whatpro-panel"]') === null`)
	b.waitFor("focus back on the entry", `document.activeElement?.dataset.testid === 'whatpro-menu-kanban'`)
	b.step("open Kanban again", chromedp.Click(menuSelector("kanban")))
	b.waitFrame("the hub page in the dark", panelURL, `document.querySelector('[data-testid="embed-root"]')?.dataset.theme === 'dark'`)
	// Chatwoot switches theme while the panel is open: the hub page follows.
	// (The panel covers the simulator's toolbar; Chatwoot's command bar switches theme the same way.)
	eval[bool](b.browser, `(window.__cwsim.setTheme('light'), true)`)
	b.waitFrame("the hub page in the light", panelURL, `document.querySelector('[data-testid="embed-root"]')?.dataset.theme === 'light' && !document.body.classList.contains('dark')`)
	b.waitFrame("the hub page signed in again", panelURL, `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`)
	b.waitFrame("the Kanban board again", panelURL, `document.querySelector('[data-testid="kanban-board"]')?.dataset.status === 'ready'`)
	b.screenshot("agent-kanban-panel-light")
	// The hub's frame said hello after the hostile one and was answered; everything the hostile
	// frame received before its flush answer is reported before it: no token among it.
	eval[bool](b.browser, `(window.__hostile.contentWindow.postMessage({ cmd: 'flush', id: 1 }, '*'), true)`)
	b.waitFor("the hostile frame's flush", `window.__reports.some((r) => r.type === 'e2e:flushed' && r.id === 1)`)
	if got := eval[string](b.browser, `JSON.stringify(window.__reports)`); strings.Contains(got, "whatpro:token") || strings.Contains(got, "wpi_") {
		t.Errorf("the third-origin frame received a token: %s", got)
	}

	// Escape inside the hub page closes the panel too (the page asks the script, exactly).
	center := eval[[]float64](b.browser, `(() => { const r = document.querySelector('[data-testid="whatpro-panel"]').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height - 40]; })()`)
	b.step("click inside the hub page", chromedp.MouseClickXY(center[0], center[1]))
	b.waitFrame("focus inside the hub page", panelURL, `document.hasFocus()`)
	b.step("press Escape inside the hub page", chromedp.KeyEvent(kb.Escape))
	b.waitFor("the panel to close from inside", `document.querySelector('[data-testid="whatpro-panel"]') === null`)
	b.waitFor("focus back on the entry", `document.activeElement?.dataset.testid === 'whatpro-menu-kanban'`)

	// A native entry (a Chatwoot SPA navigation) closes the panel; the close button does too.
	chatURL := fmt.Sprintf("%s/embed/app/internal_chat?account=%s", env.hub.URL, env.accountID)
	b.step("open Internal chat", chromedp.Click(menuSelector("internal_chat")))
	b.waitFrame("the internal chat page", chatURL, `document.querySelector('[data-testid="chat-panel"]')?.dataset.status === 'ready'`)
	b.step("click Contacts in Chatwoot's sidebar", chromedp.Click(`aside nav [title="Contacts"]`))
	b.waitPath("/app/accounts/1/contacts")
	b.waitFor("the panel to close on navigation", `document.querySelector('[data-testid="whatpro-panel"]') === null`)
	b.waitFor("the entries on the new route", `document.querySelectorAll('[data-whatpro-entry]').length === 2`)
	b.step("open Kanban once more", chromedp.Click(menuSelector("kanban")))
	b.waitFrame("the hub page", panelURL, `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`)
	b.step("close with the button", chromedp.Click(testID("whatpro-panel-close")))
	b.waitFor("the panel to close", `document.querySelector('[data-testid="whatpro-panel"]') === null`)
	b.waitFor("focus back on the entry", `document.activeElement?.dataset.testid === 'whatpro-menu-kanban'`)
	b.assertFramesClean()

	// (a) The administrator also sees Hub admin, and its panel shows the link.
	admin := newEmbedBrowser(t)
	env.loginToChatwoot(admin, "ana@acme.test")
	admin.waitFor("the Hub admin menu", present(menuSelector("hub_admin")))
	admin.waitFor("the Kanban menu", present(menuSelector("kanban")))
	admin.screenshot("admin-menus-light")
	adminURL := fmt.Sprintf("%s/embed/app/hub_admin?account=%s", env.hub.URL, env.accountID)
	admin.step("open Hub admin", chromedp.Click(menuSelector("hub_admin")))
	admin.waitFrame("the hub-admin page signed in", adminURL, `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`)
	admin.waitFrame("the link status", adminURL, `document.querySelector('[data-testid="hub-admin-link"]')?.dataset.linked === 'true'`)
	admin.waitFrame("the feature list", adminURL, `document.querySelector('[data-testid="hub-admin-feature"][data-feature="kanban"]')?.dataset.enabled === 'true'`)
	if acct, _ := frameEval[string](admin, adminURL, `document.querySelector('[data-testid="hub-admin-chatwoot-account"]').textContent.trim()`); acct != "1" {
		t.Errorf("hub admin shows Chatwoot account %q, want 1", acct)
	}
	admin.screenshot("admin-hub-admin-panel-light")
	admin.step("Chatwoot dark", chromedp.KeyEvent(kb.Escape), chromedp.Click(`[data-cwsim-action="theme"]`))
	admin.step("open Hub admin in the dark", chromedp.Click(menuSelector("hub_admin")))
	admin.waitFrame("the hub-admin page in the dark", adminURL, `document.body.classList.contains('dark') && document.querySelector('[data-testid="hub-admin-link"]') !== null`)
	admin.screenshot("admin-hub-admin-panel-dark")
	admin.assertFramesClean()

	// (b) The super admin turns Kanban off: after a reload the agent has no Kanban menu.
	env.super.do("PUT", "/api/v1/accounts/"+env.accountID+"/features", map[string]bool{"kanban": false}, http.StatusOK, nil)
	b.step("reload Chatwoot", chromedp.Reload())
	// the script appends every enabled entry in one pass: once the chat's
	// entry is there, the set is final
	b.waitFor("the Internal chat menu", present(menuSelector("internal_chat")))
	if eval[bool](b.browser, present(menuSelector("kanban"))) {
		t.Error("the Kanban menu is still there after the super admin turned Kanban off")
	}
	b.assertFramesClean()
}

// When anything fails the script adds nothing and says so in one console line: a Chatwoot
// account that is not linked (its session is never sent), and a features endpoint that fails.
func TestEmbedMenusFailClosed(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	b := newEmbedBrowser(t)

	// Eva is an administrator of account 1 (linked) and an agent of account 2 (not linked).
	env.loginToChatwoot(b, "eva@example.test")
	b.waitFor("the menus of the linked account", present(menuSelector("kanban")))
	console, requests := b.mark()
	b.step("open the unlinked account", chromedp.Navigate(env.sim.URL+"/app/accounts/2/dashboard"))
	b.waitPath("/app/accounts/2/dashboard")
	b.waitFor("the sidebar", `document.querySelector('aside nav ul') !== null`)
	waitLines(t, b, console, 1) // the script's last word: it adds nothing after giving up
	if eval[bool](b.browser, `document.querySelector('[data-whatpro-entry]') !== null`) {
		t.Error("hub menus in a Chatwoot account that is not linked")
	}
	if lines := b.whatproLinesSince(console); len(lines) != 1 || !strings.Contains(lines[0], "not linked") {
		t.Errorf("console lines = %q, want one saying the account is not linked", lines)
	}
	for _, r := range b.requestsSince(requests) {
		if strings.Contains(r, "/api/v1/auth/chatwoot") || strings.Contains(r, "/api/v1/features") {
			t.Errorf("the script called the hub for an unlinked account: %s", r)
		}
	}

	// The features endpoint fails (the network refuses it): no menu, one line.
	ctxBlock := b.ctx
	if _, err := chromedp.Call(ctxBlock, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{
		{URLPattern: env.hub.URL + "/api/v1/features*", Block: true},
	}}); err != nil {
		t.Fatalf("block the features endpoint: %v", err)
	}
	console, _ = b.mark()
	b.step("open the linked account", chromedp.Navigate(env.sim.URL+"/app/accounts/1/dashboard"))
	b.waitFor("the sidebar", `document.querySelector('aside nav ul') !== null`)
	waitLines(t, b, console, 1) // the script's last word: it adds nothing after giving up
	if eval[bool](b.browser, `document.querySelector('[data-whatpro-entry]') !== null`) {
		t.Error("hub menus although the features request failed")
	}
	if lines := b.whatproLinesSince(console); len(lines) != 1 || !strings.Contains(lines[0], "features") {
		t.Errorf("console lines = %q, want one about the features", lines)
	}
	b.assertFramesClean()
}

func waitLines(t *testing.T, b *embedBrowser, mark, n int) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for len(b.whatproLinesSince(mark)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("no [whatpro] console line after %s; console:\n%s", waitTimeout, strings.Join(b.consoleSince(mark), "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// (e) A page on a third origin cannot frame an embed page: the hub's frame-ancestors stops it.
func TestEmbedPageRefusesThirdOriginFraming(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	third := startThirdOrigin(t)
	b := newEmbedBrowser(t)
	target := fmt.Sprintf("%s/embed/app/kanban?account=%s", env.hub.URL, env.accountID)
	console, _ := b.mark()
	b.step("open the third-origin page", chromedp.Navigate(third.URL+"/frame?src="+target))
	b.waitFor("the framing page", `document.getElementById('target') !== null && document.readyState === 'complete'`)
	deadline := time.Now().Add(waitTimeout)
	for {
		blocked := false
		for _, line := range b.consoleSince(console) {
			if strings.Contains(line, "frame-ancestors") {
				blocked = true
			}
		}
		if blocked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no frame-ancestors refusal in the console:\n%s", strings.Join(b.consoleSince(console), "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The frame has finished loading (the browser's refusal page): the hub's page never ran in it.
	b.waitFor("the refused frame loaded", `document.body.dataset.targetLoaded === 'yes'`)
	if _, err := frameEval[bool](b, env.hub.URL, `document.querySelector('[data-testid="embed-root"]') !== null`); err == nil {
		t.Error("the embed page loaded inside a third-origin page")
	}
	for _, f := range b.frames() {
		if strings.HasPrefix(f.URL, env.hub.URL) {
			t.Errorf("a frame shows the hub page: %s", f.URL)
		}
	}
	b.screenshot("third-origin-blocked")
}

// (g) An embed page ignores a token with a wrong nonce, or one from the wrong origin, and takes
// the right one from its parent on an allowed origin.
func TestEmbedPageIgnoresForgedTokens(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	third := startThirdOrigin(t)
	token, expires := env.instanceToken(t, "bruno@acme.test")
	b := newEmbedBrowser(t)

	// Chatwoot's login page: the allowed origin, where the dashboard script has no account and
	// answers nobody, so the test plays the parent.
	b.step("open Chatwoot", chromedp.Navigate(env.sim.URL+"/app/login"), chromedp.WaitVisible(testID("email_input")))
	target := fmt.Sprintf("%s/embed/app/kanban?account=%s", env.hub.URL, env.accountID)
	eval[bool](b.browser, fmt.Sprintf(`(() => {
  window.__hellos = [];
  window.addEventListener('message', (e) => { if (e.data && e.data.type === 'whatpro:hello') window.__hellos.push({ origin: e.origin, nonce: e.data.nonce }); });
  const a = document.createElement('iframe'); a.id = 'embed'; a.src = %s; a.style.cssText = 'position:fixed;top:0;left:0;width:640px;height:420px;z-index:10;border:1px solid #ccc;background:#fff';
  document.body.appendChild(a);
  const h = document.createElement('iframe'); h.id = 'hostile'; h.src = %s; h.style.cssText = 'position:fixed;bottom:0;right:0;width:200px;height:80px';
  document.body.appendChild(h);
  return true; })()`, jsString(target), jsString(third.URL+"/hostile")))
	b.waitFor("the embed page's hello", `window.__hellos.some(h => h.origin === `+jsString(env.hub.URL)+`)`)
	nonce := eval[string](b.browser, `window.__hellos.find(h => h.origin === `+jsString(env.hub.URL)+`).nonce`)
	b.waitFrame("the hostile frame", third.URL+"/hostile", `document.readyState === 'complete'`)

	// The forged answers carry a token the hub does not know (same shape): a page that took one
	// would ask the hub to validate it, be refused, and then take the real answer too.
	last := "A"
	if strings.HasSuffix(token, last) {
		last = "B"
	}
	forged := token[:len(token)-1] + last
	msg := func(n, tok string) string {
		return fmt.Sprintf(`{type: 'whatpro:token', nonce: %s, token: %s, expires_at: %s, account_id: %s, chatwoot_account_id: 1}`,
			jsString(n), jsString(tok), jsString(expires), jsString(env.accountID))
	}
	validate := "GET " + env.hub.URL + "/api/v1/instance-tokens/validate"
	_, requests := b.mark()
	eval[bool](b.browser, `(window.__reports = [], window.addEventListener('message', (e) => { if (e.data && String(e.data.type).startsWith('e2e:')) window.__reports.push(e.data); }), true)`)
	// From the parent, on the allowed origin, with a wrong nonce.
	eval[bool](b.browser, fmt.Sprintf(`(document.getElementById('embed').contentWindow.postMessage(%s, %s), true)`, msg("wrong-nonce-0123456789abc", forged), jsString(env.hub.URL)))
	// From a frame on another origin, with the right nonce.
	eval[bool](b.browser, fmt.Sprintf(`(document.getElementById('hostile').contentWindow.postMessage({cmd: 'forward', index: 0, payload: %s}, '*'), true)`, msg(nonce, forged)))
	b.waitFor("the hostile frame's forward", `window.__reports.some((r) => r.type === 'e2e:forwarded')`)
	if auth, err := frameEval[string](b, target, `document.querySelector('[data-testid="embed-root"]').dataset.auth`); err != nil || auth == "ok" {
		t.Fatalf("the embed page accepted a forged token (data-auth %q, %v)", auth, err)
	}
	b.screenshot("forged-token-ignored")

	// The control, after them: the real token, from the parent, with the nonce, is accepted, and
	// it is the only one the page asked the hub to validate.
	eval[bool](b.browser, fmt.Sprintf(`(document.getElementById('embed').contentWindow.postMessage(%s, %s), true)`, msg(nonce, token), jsString(env.hub.URL)))
	b.waitFrame("the embed page to accept the real answer", target, `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`)
	n := 0
	for _, r := range b.requestsSince(requests) {
		if strings.HasPrefix(r, validate) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the embed page asked the hub to validate %d tokens, want only the real one; requests: %v", n, b.requestsSince(requests))
	}
}

// (h) The conversation tab (Chatwoot's Dashboard App) takes only the conversation id from
// Chatwoot's appContext and shows what the hub answers for it: an agent sees a conversation of an
// inbox they belong to, and gets the "not visible" state for one of another inbox; a forged
// appContext naming another Chatwoot account is refused without asking the hub.
func TestEmbedConversationTab(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	admin := env.sim.user(t, "ana@acme.test")
	agentUser := env.sim.user(t, "bruno@acme.test")

	// Two API inboxes of Chatwoot account 1, one conversation each; the agent is a member of the
	// first only (before signing in: the hub records inbox memberships at SSO).
	sales := env.simConversation(t, admin.APIAccessToken, "WhatsApp Vendas", "Maria Cliente", "+5511999990000")
	finance := env.simConversation(t, admin.APIAccessToken, "WhatsApp Financeiro", "Carlos Reservado", "+5511988887777")
	env.simAPI(t, admin.APIAccessToken, "POST", "/api/v1/accounts/1/inbox_members", map[string]any{"inbox_id": sales.InboxID, "user_ids": []int{agentUser.ID}}, nil)
	// The hub installs its Dashboard App in Chatwoot.
	env.super.do("POST", "/api/v1/accounts/"+env.accountID+"/chatwoot/install", nil, http.StatusOK, nil)
	tab := env.hub.URL + "/embed/conversation"
	endpoint := func(conversationID int) string {
		return fmt.Sprintf("%s/api/v1/accounts/%s/chatwoot/conversations/%d", env.hub.URL, env.accountID, conversationID)
	}

	// The administrator: the tab shows the hub's view of the open conversation.
	b := newEmbedBrowser(t)
	env.loginToChatwoot(b, "ana@acme.test")
	_, requests := b.mark()
	env.openConversationTab(b, sales.ConversationID)
	b.waitFrame("the hub's contact", tab, `document.querySelector('[data-testid="conversation-contact-name"]')?.textContent.trim() === 'Maria Cliente'`)
	shown := conversationShown(b, tab)
	if want := (map[string]string{"id": fmt.Sprint(sales.ConversationID), "inbox": fmt.Sprint(sales.InboxID), "phone": "+5511999990000", "status": "open"}); !maps.Equal(shown, want) {
		t.Errorf("the tab shows %v, want %v", shown, want)
	}
	if !slices.Contains(b.requestsSince(requests), "GET "+endpoint(sales.ConversationID)) {
		t.Errorf("the tab did not ask the hub for the conversation; requests: %v", b.requestsSince(requests))
	}
	b.screenshot("conversation-tab")

	// Names in appContext are never shown: the same conversation with another contact name
	// still shows the hub's.
	_, requests = b.mark()
	postAppContext(b, map[string]any{"conversation": map[string]any{"id": sales.ConversationID, "account_id": 1, "inbox_id": sales.InboxID},
		"contact": map[string]any{"id": 1, "name": "Nome Trocado"}})
	waitRequest(t, b, requests, "GET "+endpoint(sales.ConversationID))
	if name, _ := frameEval[string](b, tab, `document.querySelector('[data-testid="conversation-tab"]').textContent`); strings.Contains(name, "Nome Trocado") {
		t.Errorf("the tab shows the name from appContext: %q", name)
	}
	if name, _ := frameEval[string](b, tab, `document.querySelector('[data-testid="conversation-contact-name"]')?.textContent.trim() ?? ''`); name != "Maria Cliente" {
		t.Errorf("the tab shows contact %q, want the hub's Maria Cliente", name)
	}
	// Administrators see every inbox.
	postAppContext(b, map[string]any{"conversation": map[string]any{"id": finance.ConversationID, "account_id": 1, "inbox_id": finance.InboxID}})
	b.waitFrame("the other inbox's conversation for the administrator", tab, `document.querySelector('[data-testid="conversation-contact-name"]')?.textContent.trim() === 'Carlos Reservado'`)
	b.assertFramesClean()

	// A forged appContext from Chatwoot's origin naming another account's conversation: refused,
	// and the hub is not asked.
	_, requests = b.mark()
	postAppContext(b, map[string]any{"conversation": map[string]any{"id": 777, "account_id": 2, "inbox_id": 9},
		"contact": map[string]any{"id": 5, "name": "Forjado"}, "currentAgent": map[string]any{"id": 1}})
	b.waitFrame("the refusal", tab, `document.querySelector('[data-testid="conversation-refused"]') !== null`)
	text, _ := frameEval[string](b, tab, `document.querySelector('[data-testid="conversation-tab"]').textContent`)
	if strings.Contains(text, "777") || strings.Contains(text, "Forjado") || strings.Contains(text, "Maria Cliente") || strings.Contains(text, "Carlos Reservado") {
		t.Errorf("the refused context still shows conversation data: %q", text)
	}
	b.screenshot("conversation-tab-forged")
	// A genuine context after it: the tab asks the hub about that one, and asked about nothing before.
	postAppContext(b, map[string]any{"conversation": map[string]any{"id": sales.ConversationID, "account_id": 1, "inbox_id": sales.InboxID}})
	waitRequest(t, b, requests, "GET "+endpoint(sales.ConversationID))
	onlyAsked(t, b.requestsSince(requests), "GET "+endpoint(sales.ConversationID))

	// The agent: their inbox's conversation shows the hub's contact.
	agent := newEmbedBrowser(t)
	env.loginToChatwoot(agent, "bruno@acme.test")
	env.openConversationTab(agent, sales.ConversationID)
	agent.waitFrame("the hub's contact for the agent", tab, `document.querySelector('[data-testid="conversation-contact-name"]')?.textContent.trim() === 'Maria Cliente'`)
	if got := conversationShown(agent, tab)["id"]; got != fmt.Sprint(sales.ConversationID) {
		t.Errorf("the agent's tab shows conversation %q, want %d", got, sales.ConversationID)
	}
	agent.screenshot("conversation-tab-agent")

	// A conversation of an inbox the agent is not a member of: the hub answers 404 and the tab
	// says the agent cannot see it, showing none of it (not even appContext's names).
	_, requests = agent.mark()
	postAppContext(agent, map[string]any{"conversation": map[string]any{"id": finance.ConversationID, "account_id": 1, "inbox_id": finance.InboxID},
		"contact": map[string]any{"id": 9, "name": "Carlos Reservado"}})
	agent.waitFrame("the not-visible state", tab, `document.querySelector('[data-testid="conversation-not-visible"]') !== null && document.querySelector('[data-testid="conversation-view"]') === null`)
	waitRequest(t, agent, requests, "GET "+endpoint(finance.ConversationID))
	text, _ = frameEval[string](agent, tab, `document.querySelector('[data-testid="conversation-tab"]').textContent`)
	if strings.Contains(text, "Carlos Reservado") || strings.Contains(text, "+5511988887777") || strings.Contains(text, "Maria Cliente") {
		t.Errorf("the not-visible state shows conversation data: %q", text)
	}
	agent.screenshot("conversation-tab-agent-not-visible")

	// Back to the agent's own conversation, then the forged account: refused without a call.
	postAppContext(agent, map[string]any{"conversation": map[string]any{"id": sales.ConversationID, "account_id": 1, "inbox_id": sales.InboxID}})
	agent.waitFrame("the agent's conversation again", tab, `document.querySelector('[data-testid="conversation-contact-name"]')?.textContent.trim() === 'Maria Cliente'`)
	_, requests = agent.mark()
	postAppContext(agent, map[string]any{"conversation": map[string]any{"id": 777, "account_id": 2, "inbox_id": 9}, "contact": map[string]any{"id": 5, "name": "Forjado"}})
	agent.waitFrame("the refusal for the agent", tab, `document.querySelector('[data-testid="conversation-refused"]') !== null && document.querySelector('[data-testid="conversation-id"]') === null`)
	// A genuine context after it (the inbox the agent cannot see, which still asks the hub).
	postAppContext(agent, map[string]any{"conversation": map[string]any{"id": finance.ConversationID, "account_id": 1, "inbox_id": finance.InboxID}})
	waitRequest(t, agent, requests, "GET "+endpoint(finance.ConversationID))
	onlyAsked(t, agent.requestsSince(requests), "GET "+endpoint(finance.ConversationID))
	agent.assertFramesClean()
}

// onlyAsked fails the test if requests hold a conversation request other than want's (or its
// sub-resources'): the tab handles contexts in order, so one asked about a forged context
// before the genuine one shows.
func onlyAsked(t *testing.T, requests []string, want string) {
	t.Helper()
	for _, r := range requests {
		if strings.Contains(r, "/chatwoot/conversations/") && r != want && !strings.HasPrefix(r, want+"/") && !strings.HasPrefix(r, want+"?") {
			t.Errorf("the tab asked the hub about a forged context: %s", r)
		}
	}
}
