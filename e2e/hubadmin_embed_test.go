package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Inside Chatwoot, the Hub admin panel does what an admin needs there: it
// shows each number's state, connects one by QR code (the QR arrives after
// connect answered), creates its inbox, and shows what Chatwoot changed as it
// is (an inbox or webhook deleted in Chatwoot); the conversation tab names the
// inbox and the hub number serving it, never raw ids.
func TestHubAdminPanelInsideChatwootIsActionable(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	api, base := env.super, "/api/v1/accounts/"+env.accountID
	api.do("POST", base+"/chatwoot/install", nil, http.StatusOK, nil)
	evo := startSim(t, "provider-sim", "--kind", "evolution", "--addr", "127.0.0.1:0")
	var creds struct {
		BaseURL string `json:"base_url"`
		APIKey  string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(evo.line(t)), &creds); err != nil {
		t.Fatal(err)
	}
	var provider, number struct {
		ID string `json:"id"`
	}
	api.do("POST", base+"/providers", map[string]any{"name": "Evolution Sim", "type": "evolution", "base_url": creds.BaseURL,
		"credentials": map[string]string{"api_key": creds.APIKey}}, http.StatusCreated, &provider)
	api.do("POST", base+"/provider-instances", map[string]any{"provider_id": provider.ID, "name": "vendas"}, http.StatusCreated, &number)

	b := newEmbedBrowser(t)
	env.loginToChatwoot(b, "ana@acme.test")
	b.waitFor("the Hub admin menu", present(menuSelector("hub_admin")))
	panel := fmt.Sprintf("%s/embed/app/hub_admin?account=%s", env.hub.URL, env.accountID)
	row := `document.querySelector('[data-testid="hub-admin-number"][data-number-name="vendas"]')`
	open := func(what string) {
		t.Helper()
		b.step("open the Hub admin panel ("+what+")", chromedp.Click(menuSelector("hub_admin")))
		b.waitFrame("the panel loaded", panel, `document.querySelector('[data-testid="hub-admin-link"]')?.dataset.linked === 'true' && `+row+` !== null`)
	}
	closePanel := func() {
		t.Helper()
		b.step("close the panel", chromedp.KeyEvent(kb.Escape))
		b.waitFor("the panel closed", `document.querySelector('[data-testid="whatpro-panel"]') === null`)
	}
	open("first")
	b.waitFrame("the link's health and install badges", panel, `document.querySelector('[data-testid="hub-admin-link-health"]')?.dataset.status === 'ok'
		&& document.querySelector('[data-testid="hub-admin-webhook"]')?.dataset.installed === 'true'
		&& document.querySelector('[data-testid="hub-admin-dashboard-app"]')?.dataset.installed === 'true'`)
	b.waitFrame("the number's state", panel, row+`.dataset.status === 'disconnected' && `+row+`.querySelector('[data-testid="number-no-inbox"]') !== null`)

	// Connect: 202, then the QR code arrives; the phone scans it.
	frameEvalOK(b, panel, row+`.querySelector('[data-testid="hub-admin-number-connect"]').click()`)
	b.waitFrame("the QR code", panel, `document.querySelector('[data-testid="qr-code"]')?.getAttribute('src')?.startsWith('data:image/')`)
	simCall(t, "POST", creds.BaseURL+"/_sim/instances/vendas/scan", nil,
		map[string]string{"number": "5511987654321", "profile_name": "Acme Vendas"}, http.StatusOK)
	b.waitFrame("the number connected", panel, `document.querySelector('[data-testid="number-connected"]') !== null && document.querySelector('[data-testid="qr-code"]') === null`)
	frameEvalOK(b, panel, `document.querySelector('[data-testid="number-connect-close"]').click()`)
	b.waitFrame("the row connected, with its phone", panel, row+`.dataset.status === 'connected'
		&& `+row+`.querySelector('[data-testid="hub-admin-number-phone"]').textContent.trim() === 'Acme Vendas · +5511987654321'`)

	// Its Chatwoot inbox, created from the panel.
	frameEvalOK(b, panel, row+`.querySelector('[data-testid="hub-admin-number-create-inbox"]').click()`)
	b.waitFrame("the inbox dialog", panel, `document.querySelector('[data-testid="number-inbox-dialog"]') !== null`)
	frameEvalOK(b, panel, `document.querySelector('[data-testid="number-inbox-submit"]').click()`)
	b.waitFrame("the inbox badge", panel, row+`.querySelector('[data-testid="number-inbox"]')?.dataset.inboxState === 'active'
		&& `+row+`.querySelector('[data-testid="hub-admin-number-create-inbox"]') === null`)
	b.checkFrame("hub admin panel", panel, true)
	closePanel()

	// What an admin deleted in Chatwoot: the inbox and the webhook.
	var numberNow struct {
		InboxID string `json:"inbox_id"`
	}
	api.do("GET", base+"/provider-instances/"+number.ID, nil, http.StatusOK, &numberNow)
	var inboxes struct {
		Data []struct {
			ID              string `json:"id"`
			ChatwootInboxID int    `json:"chatwoot_inbox_id"`
		} `json:"data"`
	}
	api.do("GET", base+"/inboxes", nil, http.StatusOK, &inboxes)
	cwInbox := 0
	for _, in := range inboxes.Data {
		if in.ID == numberNow.InboxID {
			cwInbox = in.ChatwootInboxID
		}
	}
	if cwInbox == 0 {
		t.Fatalf("the number's inbox %q is not in the mirror: %+v", numberNow.InboxID, inboxes.Data)
	}
	ana := env.sim.user(t, "ana@acme.test")
	env.simAPI(t, ana.APIAccessToken, "DELETE", fmt.Sprintf("/api/v1/accounts/1/inboxes/%d", cwInbox), nil, nil)
	var hooks struct {
		Payload struct {
			Webhooks []struct {
				ID int `json:"id"`
			} `json:"webhooks"`
		} `json:"payload"`
	}
	env.simAPI(t, ana.APIAccessToken, "GET", "/api/v1/accounts/1/webhooks", nil, &hooks)
	for _, h := range hooks.Payload.Webhooks {
		env.simAPI(t, ana.APIAccessToken, "DELETE", fmt.Sprintf("/api/v1/accounts/1/webhooks/%d", h.ID), nil, nil)
	}
	open("after Chatwoot changed")
	b.waitFrame("the webhook no longer installed", panel, `document.querySelector('[data-testid="hub-admin-webhook"]')?.dataset.installed === 'false'
		&& document.querySelector('[data-testid="hub-admin-dashboard-app"]')?.dataset.installed === 'true'`)
	b.waitFrame("the inbox shown as deleted, with a new one offered", panel, row+`.querySelector('[data-testid="number-inbox"]')?.dataset.inboxState === 'removed'
		&& `+row+`.querySelector('[data-testid="hub-admin-number-create-inbox"]') !== null`)
	b.checkFrame("hub admin panel, inbox deleted in Chatwoot", panel, true)
	frameEvalOK(b, panel, row+`.querySelector('[data-testid="hub-admin-number-create-inbox"]').click()`)
	b.waitFrame("the inbox dialog again", panel, `document.querySelector('[data-testid="number-inbox-dialog"]') !== null`)
	frameEvalOK(b, panel, `document.querySelector('[data-testid="number-inbox-submit"]').click()`)
	b.waitFrame("a new inbox", panel, row+`.querySelector('[data-testid="number-inbox"]')?.dataset.inboxState === 'active'`)
	closePanel()

	// A conversation in the number's new inbox: the tab names the inbox and the number.
	var inbox struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		ChatwootInboxID int    `json:"chatwoot_inbox_id"`
	}
	api.do("POST", base+"/provider-instances/"+number.ID+"/inbox", nil, http.StatusOK, &inbox)
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
	env.simAPI(t, ana.APIAccessToken, "POST", "/api/v1/accounts/1/contacts", map[string]any{"name": "Carla Cliente", "phone_number": "+5511988887777", "inbox_id": inbox.ChatwootInboxID}, &contact)
	var conversation struct {
		ID int `json:"id"`
	}
	env.simAPI(t, ana.APIAccessToken, "POST", "/api/v1/accounts/1/conversations", map[string]any{
		"inbox_id": inbox.ChatwootInboxID, "contact_id": contact.Payload.Contact.ID, "source_id": contact.Payload.ContactInbox.SourceID,
		"message": map[string]any{"content": "Oi, tudo bem?"},
	}, &conversation)
	env.openConversationTab(b, conversation.ID)
	tab := env.hub.URL + "/embed/conversation"
	b.waitFrame("the inbox by name and the number serving it", tab, fmt.Sprintf(`document.querySelector('[data-testid="conversation-inbox"]')?.textContent.trim() === %s
		&& document.querySelector('[data-testid="conversation-number"]')?.dataset.numberId === %s
		&& document.querySelector('[data-testid="conversation-number"]')?.dataset.status === 'connected'
		&& document.querySelector('[data-testid="conversation-contact-phone"]')?.textContent.trim() === '+5511988887777'`, jsString(inbox.Name), jsString(number.ID)))
	if txt, _ := frameEval[string](b, tab, `document.querySelector('[data-testid="conversation-number"]').textContent`); !containsAll(txt, "vendas", "+5511987654321") {
		t.Errorf("the serving number reads %q", txt)
	}
	b.checkFrame("conversation tab", tab, false)
	b.assertFramesClean()
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
