package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// (3) Inside the Chatwoot simulator: the conversation tab shows the contact's deals and creates
// one in two clicks; the dashboard script's Kanban entry opens the board signed in with an
// instance token and live; the deal's drawer opens its conversation in Chatwoot through the
// dashboard script; in a 400 px and a 320 px Chatwoot the columns scroll sideways and the drawer
// takes the whole width.
func TestEmbedKanbanPanelAndConversationDeals(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	admin := env.sim.user(t, "ana@acme.test")
	conv := env.simConversation(t, admin.APIAccessToken, "WhatsApp Vendas", "Maria Cliente", "+5511999990000")
	env.super.do("POST", "/api/v1/accounts/"+env.accountID+"/chatwoot/install", nil, http.StatusOK, nil)
	board := openKanban(t, env.super, env.accountID)
	for i, title := range []string{"Plano anual", "Consultoria", "Treinamento", "Suporte premium"} {
		board.create(title, board.Stages[i%2].ID, (i+1)*100000)
	}

	b := newEmbedBrowser(t)
	env.loginToChatwoot(b, "ana@acme.test")

	// The conversation tab: no deal yet; New deal, then Create.
	tab := env.hub.URL + "/embed/conversation"
	env.openConversationTab(b, conv.ConversationID)
	b.waitFrame("the contact's deals", tab, `document.querySelector('[data-testid="contact-deals"]')?.dataset.state === 'ready'`)
	b.waitFrame("no deal yet", tab, `document.querySelector('[data-testid="contact-deals-empty"]') !== null`)
	frameClick(b, tab, "contact-deals-new")
	b.waitFrame("the form filled in", tab, `document.querySelector('[data-testid="contact-deals-title"]')?.value === 'Maria Cliente'`)
	frameClick(b, tab, "contact-deals-create")
	b.waitFrame("the new deal listed", tab, `document.querySelectorAll('[data-testid="contact-deal"]').length === 1`)
	b.screenshot("conversation-deals")
	var deals struct {
		Data []struct {
			ID             string `json:"id"`
			Title          string `json:"title"`
			ConversationID int    `json:"conversation_id"`
			Contact        struct {
				Name string `json:"name"`
			} `json:"contact"`
		} `json:"data"`
	}
	env.super.do("GET", board.path("/cards?q=Maria"), nil, http.StatusOK, &deals)
	if len(deals.Data) != 1 || deals.Data[0].ConversationID != conv.ConversationID || deals.Data[0].Contact.Name != "Maria Cliente" {
		t.Fatalf("the hub has %+v, want one deal linked to conversation %d", deals.Data, conv.ConversationID)
	}
	dealID := deals.Data[0].ID

	// The Kanban entry opens the board, signed in with the instance token, and live.
	panel := fmt.Sprintf("%s/embed/app/kanban?account=%s", env.hub.URL, env.accountID)
	b.step("open Kanban", chromedp.Click(menuSelector("kanban")))
	b.waitFrame("the board, live", panel, `document.querySelector('[data-testid="kanban-board"]')?.dataset.status === 'ready' &&
  document.querySelector('[data-testid="kanban-board"]')?.dataset.live === 'live'`)
	b.waitFrame("the deals on the board", panel, fmt.Sprintf(`document.querySelectorAll('[data-testid="kanban-card"]').length === 5 && %s`, present(cardSelector(dealID))))
	b.waitFrame("the settings for an administrator", panel, present(`[data-testid="kanban-settings-open"]`))
	b.screenshot("kanban-panel")

	// A move made elsewhere reaches the panel.
	board.move(dealID, board.Stages[2].ID)
	b.waitFrame("the live move in the panel", panel, cardIn(dealID, board.Stages[2].ID, 0))

	// Narrow Chatwoot windows: the columns scroll sideways, the drawer takes the whole width.
	for _, width := range []int64{400, 320} {
		if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 760, DeviceScaleFactor: 1}); err != nil {
			t.Fatal(err)
		}
		b.waitFrame(fmt.Sprintf("the panel at %d px", width), panel, fmt.Sprintf(`window.innerWidth <= %d`, width))
		b.waitFrame("the columns scrolling sideways", panel, `(() => { const c = document.querySelector('[data-testid="kanban-columns"]'); return c.scrollWidth > c.clientWidth + 100; })()`)
		if over, _ := frameEval[bool](b, panel, `document.documentElement.scrollWidth > window.innerWidth`); over {
			t.Errorf("at %d px the page itself scrolls sideways", width)
		}
		b.screenshot(fmt.Sprintf("kanban-panel-%dpx", width))
	}
	frameEvalOK(b, panel, fmt.Sprintf(`document.querySelector(%s).querySelector('[data-testid="kanban-card-open"]').click()`, jsString(cardSelector(dealID))))
	b.waitFrame("the drawer", panel, fmt.Sprintf(`document.querySelector('[data-testid="kanban-drawer"]')?.dataset.cardId === %s`, jsString(dealID)))
	b.waitFrame("the drawer full width", panel, `Math.abs(document.querySelector('[data-testid="kanban-drawer"]').getBoundingClientRect().width - window.innerWidth) < 1`)
	b.screenshot("kanban-drawer-320px")

	// Open conversation: the dashboard script navigates Chatwoot, which closes the panel.
	frameClick(b, panel, "kanban-drawer-open-conversation")
	b.waitPath(fmt.Sprintf("/app/accounts/1/conversations/%d", conv.ConversationID))
	b.waitFor("the panel closed", `document.querySelector('[data-testid="whatpro-panel"]') === null`)
	b.assertFramesClean()
	for _, line := range b.consoleSince(0) {
		if strings.HasPrefix(line, "error:") {
			t.Errorf("console error in Chatwoot or the hub frames: %s", line)
		}
	}
}

// frameClick clicks an element of a frame by its test id (a person's click on it).
func frameClick(b *embedBrowser, prefix, testid string) {
	b.t.Helper()
	b.waitFrame("the "+testid+" button", prefix, present(fmt.Sprintf(`[data-testid=%s]`, jsString(testid))))
	frameEvalOK(b, prefix, fmt.Sprintf(`document.querySelector('[data-testid=%s]').click()`, jsString(testid)))
}

func frameEvalOK(b *embedBrowser, prefix, expr string) {
	b.t.Helper()
	if _, err := frameEval[bool](b, prefix, "("+expr+", true)"); err != nil {
		b.t.Fatalf("in the frame at %s: %s: %v", prefix, expr, err)
	}
}
