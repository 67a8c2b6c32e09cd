package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Every embedded page inside the Chatwoot simulator, as its administrator: the Hub admin, Kanban
// and Internal chat panels and the conversation tab, at 1280 and 400 px, in Chatwoot's light
// theme and the language the page shows. The page check fails on overflow, English on a
// Portuguese page and console errors in the frame.
func TestEveryEmbeddedPageFitsAndSpeaksOneLanguage(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	ana := env.sim.user(t, "ana@acme.test")
	conv := env.simConversation(t, ana.APIAccessToken, "WhatsApp Vendas", "Carla Cliente", "+5511988887777")

	env.super.do("POST", "/api/v1/accounts/"+env.accountID+"/chatwoot/install", nil, http.StatusOK, nil)

	b := newEmbedBrowser(t)
	// A Chatwoot user who chose Portuguese: the page's config says so, as Chatwoot's layout does.
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: portugueseChatwoot}); err != nil {
		t.Fatal(err)
	}
	env.loginToChatwoot(b, "ana@acme.test")
	b.waitFor("the Hub admin menu", present(menuSelector("hub_admin")))
	panels := []struct{ feature, ready string }{
		{"hub_admin", `document.querySelector('[data-testid="hub-admin-link"]')?.dataset.linked === 'true'`},
		{"kanban", `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`},
		{"internal_chat", `document.querySelector('[data-testid="embed-root"]')?.dataset.auth === 'ok'`},
	}
	for _, width := range []int64{1280, 400} {
		if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 800, DeviceScaleFactor: 1}); err != nil {
			t.Fatal(err)
		}
		b.waitFor(fmt.Sprintf("Chatwoot at %d px", width), fmt.Sprintf(`document.documentElement.clientWidth <= %d`, width))
		for _, p := range panels {
			url := fmt.Sprintf("%s/embed/app/%s?account=%s", env.hub.URL, p.feature, env.accountID)
			b.step("open "+p.feature, chromedp.Click(menuSelector(p.feature)))
			b.waitFrame(p.feature+" signed in and loaded", url, p.ready+` && document.querySelector('[aria-busy="true"], [data-skeleton]') === null`)
			b.checkFrame(fmt.Sprintf("%s panel at %d px", p.feature, width), url, width >= 1024)
			b.docShot("embed-"+p.feature, width)
			b.step("close the panel", chromedp.KeyEvent(kb.Escape))
			b.waitFor("the panel closed", `document.querySelector('[data-testid="whatpro-panel"]') === null`)
		}
	}
	// The conversation tab lives in Chatwoot's contact sidebar: in the simulator it is 740 px wide
	// in a 1280 px window and 360 px in a 900 px one (its narrow case; in a 400 px window the
	// simulator squeezes the sidebar to a sliver no layout could use).
	tab := env.hub.URL + "/embed/conversation"
	for i, width := range []int64{1280, 900} {
		if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 800, DeviceScaleFactor: 1}); err != nil {
			t.Fatal(err)
		}
		b.waitFor(fmt.Sprintf("Chatwoot at %d px", width), fmt.Sprintf(`document.documentElement.clientWidth <= %d`, width))
		if i == 0 {
			env.openConversationTab(b, conv.ConversationID)
		}
		b.waitFrame("the conversation shown", tab, `document.querySelector('[data-testid="conversation-status"]') !== null`)
		fw, _ := frameEval[int](b, tab, `document.documentElement.clientWidth`)
		b.checkFrame(fmt.Sprintf("conversation tab %d px wide", fw), tab, false)
		b.docShot("embed-conversation", width)
	}
	b.assertFramesClean()
}

// portugueseChatwoot makes the simulator's chatwootConfig name pt-BR as the selected locale.
const portugueseChatwoot = `(() => {
  let v;
  Object.defineProperty(window, 'chatwootConfig', { configurable: true,
    get() { return v; }, set(x) { v = Object.assign({}, x, { selectedLocale: 'pt-BR' }); } });
})()`

// checkFrame runs the page check inside the frame at prefix, in the frame's own language.
func (b *embedBrowser) checkFrame(what, prefix string, strict bool) {
	b.t.Helper()
	lang, err := frameEval[string](b, prefix, `document.documentElement.lang || 'pt-BR'`)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	problems, err := frameEval[[]string](b, prefix, checkExpr(b.t, strict, lang, []string{"Ana Admin", "Carla Cliente"}))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	for _, p := range problems {
		b.t.Errorf("%s (%s): %s", what, lang, p)
	}
	for _, line := range b.consoleSince(0) {
		if len(line) > 6 && line[:6] == "error:" {
			b.t.Errorf("%s: console error: %s", what, line)
		}
	}
}
