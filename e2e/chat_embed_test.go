package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// notificationRecorder stands in for the browser's Notification (headless Chromium shows none):
// permission granted, every notification recorded.
const notificationRecorder = `window.__notes = [];
window.Notification = class { static permission = 'granted';
  static requestPermission() { return Promise.resolve('granted'); }
  constructor(title, o) { window.__notes.push({ title, body: (o && o.body) || '' }); } close() {} };`

// (3) Inside the Chatwoot simulator: the Internal chat entry carries the unread badge, live;
// DMs and mentions notify through the browser's Notification API, muted rooms never; the panel
// reads a room and the badge follows; the conversation tab's "discuss with the team" posts the
// conversation to a room, where its card opens.
func TestEmbedChatBadgeNotificationsAndDiscuss(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	anaTok, _ := env.instanceToken(t, "ana@acme.test")
	brunoTok, _ := env.instanceToken(t, "bruno@acme.test")
	ana := &apiClient{t: t, base: env.hub.URL, token: anaTok}
	bruno := &apiClient{t: t, base: env.hub.URL, token: brunoTok}
	chat := "/api/v1/accounts/" + env.accountID + "/chat"
	var people struct {
		Data []struct{ ID, Name string } `json:"data"`
	}
	ana.do("GET", chat+"/people", nil, http.StatusOK, &people)
	ids := map[string]string{}
	for _, p := range people.Data {
		ids[p.Name] = p.ID
	}
	anaID := ids["Ana Admin"]
	if anaID == "" || ids["Bruno Agente"] == "" {
		t.Fatalf("the directory has %+v", people.Data)
	}
	type room struct {
		ID string `json:"id"`
	}
	send := func(roomID, content string, mentions ...string) {
		body := map[string]any{"content": content, "echo_id": fmt.Sprintf("b-%s-%d", roomID[len(roomID)-6:], len(content))}
		if len(mentions) > 0 {
			body["mention_ids"] = mentions
		}
		bruno.do("POST", chat+"/rooms/"+roomID+"/messages", body, http.StatusCreated, nil)
	}

	env.super.do("POST", "/api/v1/accounts/"+env.accountID+"/chatwoot/install", nil, http.StatusOK, nil)
	admin := env.sim.user(t, "ana@acme.test")
	conv := env.simConversation(t, admin.APIAccessToken, "WhatsApp Vendas", "Maria Cliente", "+5511999990000")

	b := newEmbedBrowser(t)
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: notificationRecorder}); err != nil {
		t.Fatal(err)
	}
	env.loginToChatwoot(b, "ana@acme.test")
	// Live first: a message sent before the script subscribed is counted, not notified.
	b.waitFor("the Internal chat entry with its (empty) badge, live", `(() => { const b = document.querySelector('[data-testid="whatpro-chat-badge"]'); return b?.dataset.unread === '0' && b?.dataset.live === 'true'; })()`)
	badge := func(unread, mentions int, text string) string {
		return fmt.Sprintf(`(() => { const b = document.querySelector('[data-testid="whatpro-chat-badge"]'); return b?.dataset.unread === '%d' && b?.dataset.mentions === '%d' && b.textContent === %s; })()`,
			unread, mentions, jsString(text))
	}
	notes := func(n int) string { return fmt.Sprintf(`window.__notes.length === %d`, n) }

	// A DM from Bruno: the badge counts it and a notification says who.
	var dm room
	bruno.do("POST", chat+"/rooms", map[string]any{"type": "dm", "member_ids": []string{anaID}}, http.StatusCreated, &dm)
	send(dm.ID, "Oi Ana, **tudo** bem?")
	b.waitFor("the badge at 1", badge(1, 0, "1"))
	b.waitFor("one notification", notes(1))
	if got := eval[map[string]string](b.browser, `window.__notes[0]`); got["title"] != "Bruno Agente" || got["body"] != "Oi Ana, tudo bem?" {
		t.Errorf("the notification is %v", got)
	}

	// A mention in a room Ana muted: neither badge nor notification; the next DM proves it.
	var quiet, sales room
	bruno.do("POST", chat+"/rooms", map[string]any{"type": "public", "name": "Avisos", "member_ids": []string{anaID}}, http.StatusCreated, &quiet)
	ana.do("PATCH", chat+"/rooms/"+quiet.ID+"/settings", map[string]any{"muted": true}, http.StatusOK, nil)
	send(quiet.ID, "@Ana Admin reunião às 15h", anaID)
	send(dm.ID, "Viu meu recado?")
	b.waitFor("the badge at 2", badge(2, 0, "2"))
	b.waitFor("two notifications", notes(2))

	// A mention in a room she follows: the badge shows the mention first.
	bruno.do("POST", chat+"/rooms", map[string]any{"type": "public", "name": "Vendas", "member_ids": []string{anaID}}, http.StatusCreated, &sales)
	send(sales.ID, "@Ana Admin fechamos o pedido", anaID)
	b.waitFor("the mention badge", badge(3, 1, "@1"))
	b.waitFor("three notifications", notes(3))
	b.screenshot("chat-badge")

	// The panel: open the DM, which reads it; the badge follows.
	panel := fmt.Sprintf("%s/embed/app/internal_chat?account=%s", env.hub.URL, env.accountID)
	b.step("open Internal chat", chromedp.Click(menuSelector("internal_chat")))
	b.waitFrame("the chat panel, live", panel, `document.querySelector('[data-testid="chat-panel"]')?.dataset.status === 'ready' &&
  document.querySelector('[data-testid="chat-panel"]')?.dataset.live === 'live'`)
	frameEvalOK(b, panel, fmt.Sprintf(`document.querySelector('[data-testid="chat-room"][data-room-id=%s]').click()`, jsString(dm.ID)))
	b.waitFrame("the DM's messages", panel, `document.querySelectorAll('[data-testid="chat-message"][data-kind="text"]').length === 2`)
	b.waitFor("the badge after reading the DM", badge(1, 1, "@1"))
	b.screenshot("chat-panel")

	// Narrow Chatwoot windows: one pane at a time (the room, then back to the list), nothing
	// scrolls sideways.
	for _, width := range []int64{400, 320} {
		if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 760, DeviceScaleFactor: 1}); err != nil {
			t.Fatal(err)
		}
		b.waitFrame(fmt.Sprintf("the panel at %d px, narrow", width), panel, fmt.Sprintf(`window.innerWidth <= %d && document.querySelector('[data-testid="chat-panel"]')?.dataset.narrow === 'true'`, width))
		b.waitFrame("the room alone", panel, `document.querySelector('[data-testid="chat-room-view"]') !== null && document.querySelector('[data-testid="chat-room-list"]') === null`)
		if over, _ := frameEval[bool](b, panel, `document.documentElement.scrollWidth > window.innerWidth`); over {
			t.Errorf("at %d px the chat panel scrolls sideways", width)
		}
		b.screenshot(fmt.Sprintf("chat-panel-%dpx", width))
	}
	frameClick(b, panel, "chat-back")
	b.waitFrame("the list alone", panel, `document.querySelector('[data-testid="chat-room-list"]') !== null && document.querySelector('[data-testid="chat-room-view"]') === null`)
	if over, _ := frameEval[bool](b, panel, `document.documentElement.scrollWidth > window.innerWidth`); over {
		t.Error("at 320 px the room list scrolls sideways")
	}
	b.screenshot("chat-panel-list-320px")
	// Chatwoot's dark theme reaches the panel, like its other pages.
	eval[bool](b.browser, `(window.__cwsim.setTheme('dark'), true)`)
	b.waitFrame("the chat panel in the dark", panel, `document.body.classList.contains('dark') && document.querySelector('[data-testid="chat-panel"]') !== null`)
	b.screenshot("chat-panel-dark-320px")
	if _, err := chromedp.Call(b.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	b.step("close the panel", chromedp.Click(testID("whatpro-panel-close")))

	// "Discuss with the team" from the conversation tab posts the conversation to Vendas.
	tab := env.hub.URL + "/embed/conversation"
	env.openConversationTab(b, conv.ConversationID)
	b.waitFrame("the discuss action", tab, present(`[data-testid="discuss-with-team"]`))
	frameEvalOK(b, tab, fmt.Sprintf(`(() => { const s = document.querySelector('[data-testid="discuss-room"]'); s.value = %s; s.dispatchEvent(new Event('change')); })()`, jsString(sales.ID)))
	frameClick(b, tab, "discuss-send")
	b.waitFrame("posted", tab, present(`[data-testid="discuss-sent"]`))
	var msgs struct {
		Data []struct {
			Content      string `json:"content"`
			Conversation *struct {
				CardURL string `json:"card_url"`
			} `json:"conversation"`
		} `json:"data"`
	}
	ana.do("GET", chat+"/rooms/"+sales.ID+"/messages", nil, http.StatusOK, &msgs)
	last := msgs.Data[len(msgs.Data)-1]
	if last.Conversation == nil || last.Conversation.CardURL == "" {
		t.Fatalf("the last message of Vendas is %+v, want a conversation reference", last)
	}
	var card struct {
		ConversationID int `json:"conversation_id"`
		Contact        struct {
			Name string `json:"name"`
		} `json:"contact"`
	}
	ana.do("GET", last.Conversation.CardURL, nil, http.StatusOK, &card)
	if card.ConversationID != conv.ConversationID || card.Contact.Name != "Maria Cliente" {
		t.Errorf("the card is %+v", card)
	}
	b.assertFramesClean()
}
