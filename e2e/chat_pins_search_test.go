package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// (3) Pins, search and presence across two windows: Ana sees Bruno's presence in her room list
// follow his window (online, away while it is hidden, offline once he leaves); a pin made in one
// window shows in the other's message and pinned list, and an unpin there reaches the first;
// Bruno searches his rooms for a word of an old message and the result opens the room at it.
func TestChatPinsSearchPresence(t *testing.T) {
	requireBrowser(t)
	h, accountID, ana, bruno := chatSetup(t)
	a, b := ana.b, bruno.b
	chat := fmt.Sprintf("/api/v1/accounts/%s/chat", accountID)

	var dm, sales struct {
		ID string `json:"id"`
	}
	ana.api.do("POST", chat+"/rooms", map[string]any{"type": "dm", "member_ids": []string{bruno.id}}, http.StatusCreated, &dm)
	ana.api.do("POST", chat+"/rooms", map[string]any{"type": "public", "name": "Vendas", "member_ids": []string{bruno.id}}, http.StatusCreated, &sales)
	var old chatMsg
	ana.api.do("POST", fmt.Sprintf("%s/rooms/%s/messages", chat, sales.ID), map[string]any{"content": "O pedido 4711 chegou amassado", "echo_id": "old"},
		http.StatusCreated, &old)
	// Enough later messages that the old one is not on the room's first page.
	for i := 1; i <= 70; i++ {
		ana.api.do("POST", fmt.Sprintf("%s/rooms/%s/messages", chat, sales.ID), map[string]any{"content": fmt.Sprintf("atualização %02d", i),
			"echo_id": fmt.Sprintf("seed-%d", i)}, http.StatusCreated, nil)
	}
	pinned := hubMessages(t, ana.api, accountID, sales.ID)
	target := pinned[len(pinned)-1]

	// Presence: Bruno's window is live, so Ana's list shows him online beside the DM.
	dot := fmt.Sprintf(`document.querySelector('[data-testid="chat-room"][data-room-id=%s] [data-testid="chat-presence"]')?.dataset.status`, jsString(dm.ID))
	a.waitFor("the DM in Ana's list", present(fmt.Sprintf(`[data-testid="chat-room"][data-room-id=%s]`, jsString(dm.ID))))
	a.waitFor("Bruno online", dot+` === 'online'`)
	// His page is hidden (another tab in front): away; shown again: online.
	const setVisibility = `((v) => { Object.defineProperty(document, 'visibilityState', { value: v, configurable: true });
  document.dispatchEvent(new Event('visibilitychange')); return true; })`
	eval[bool](b, setVisibility+`('hidden')`)
	a.waitFor("Bruno away", dot+` === 'away'`)
	eval[bool](b, setVisibility+`('visible')`)
	a.waitFor("Bruno online again", dot+` === 'online'`)

	// Pins: Ana pins the newest message from its toolbar; Bruno, in the room, sees it pinned.
	a.step("Ana opens Vendas", chromedp.Click(fmt.Sprintf(`[data-testid="chat-room"][data-room-id=%s]`, jsString(sales.ID))))
	b.step("Bruno opens Vendas", chromedp.Click(fmt.Sprintf(`[data-testid="chat-room"][data-room-id=%s]`, jsString(sales.ID))))
	a.waitFor("the room open", `document.querySelector('[data-testid="chat-room-view"]')?.dataset.status === 'ready'`)
	b.waitFor("the room open", `document.querySelector('[data-testid="chat-room-view"]')?.dataset.status === 'ready'`)
	a.clickIn(target.ID, "chat-action-pin")
	pinnedIn := fmt.Sprintf(`document.querySelector('[data-message-id=%s]')?.dataset.pinned === 'true'`, jsString(target.ID))
	a.waitFor("the message pinned in Ana's window", pinnedIn)
	b.waitFor("the message pinned in Bruno's window", pinnedIn)
	b.waitFor("one pin counted", `document.querySelector('[data-testid="chat-pins-toggle"]')?.dataset.count === '1'`)
	b.step("Bruno opens the pinned list", chromedp.Click(testID("chat-pins-toggle")))
	b.waitFor("the pin listed", fmt.Sprintf(`document.querySelector('[data-testid="chat-pin"][data-message-id=%s]') !== null`, jsString(target.ID)))
	var pins struct {
		Data []chatMsg `json:"data"`
	}
	bruno.api.do("GET", fmt.Sprintf("%s/rooms/%s/pins", chat, sales.ID), nil, http.StatusOK, &pins)
	if len(pins.Data) != 1 || pins.Data[0].ID != target.ID {
		t.Fatalf("the hub's pins are %+v, want %s", pins.Data, target.ID)
	}
	// Bruno unpins it from the list; Ana's window follows.
	b.step("Bruno unpins", chromedp.Click(testID("chat-pin-unpin")))
	b.waitFor("the list emptied", present(`[data-testid="chat-pins-empty"]`))
	a.waitFor("no pin in Ana's window", `document.querySelector('[data-testid="chat-pins-toggle"]')?.dataset.count === '0' && !(`+pinnedIn+`)`)

	// Search: Bruno looks for the old order's number; the result opens the room at that message.
	b.step("Bruno searches", chromedp.Click(testID("chat-search-input")), chromedp.SendKeys(testID("chat-search-input"), "4711"))
	b.pressEnter()
	result := fmt.Sprintf(`[data-testid="chat-search-result"][data-message-id=%s]`, jsString(old.ID))
	b.waitFor("the old message found", present(result)+` && document.querySelector('[data-testid="chat-search-results"]').dataset.count === '1'`)
	b.waitText(result+` [data-testid="chat-search-result-text"]`, "O pedido 4711 chegou amassado")
	b.step("open the result", chromedp.Click(result))
	b.waitFor("the room at the old message", fmt.Sprintf(`document.activeElement?.dataset?.testid === 'chat-message' && document.activeElement.dataset.messageId === %s`, jsString(old.ID)))
	if got := eval[string](b, fmt.Sprintf(`document.querySelector('[data-testid="chat-room-view"] [data-message-id=%s] [data-testid="chat-message-content"]').textContent.trim()`, jsString(old.ID))); got != "O pedido 4711 chegou amassado" {
		t.Fatalf("the message opened shows %q", got)
	}
	b.screenshot("search-result")
	b.assertClean()
	b.assertNoConsoleErrors()

	// Bruno closes his window: Ana sees him offline.
	if _, err := chromedp.Call(b.ctx, page.Close, cdp.Empty{}); err != nil {
		t.Fatalf("close Bruno's window: %v", err)
	}
	a.waitFor("Bruno offline", dot+` === 'offline'`)
	a.assertClean()
	a.assertNoConsoleErrors()
	_ = h
}
