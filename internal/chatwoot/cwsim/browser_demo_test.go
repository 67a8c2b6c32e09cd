package cwsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// strictCSP is what the demo pages must work under: nothing inline,
// nothing from elsewhere.
const strictCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

func newChromium(t *testing.T) context.Context {
	t.Helper()
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is required under CI")
		}
		t.Skip("chromium not installed")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// TestBrowserAgentRepliesAndSeesDeliveryStatus drives the demo
// conversation view: the agent answers in the page, the answer reaches
// the hub as the API inbox callback, and the statuses the hub reports
// (delivered, read, or the failure Chatwoot records) appear live.
func TestBrowserAgentRepliesAndSeesDeliveryStatus(t *testing.T) {
	ctx := newChromium(t)
	s := New(DefaultSeed(), Options{ContentSecurityPolicy: strictCSP})
	t.Cleanup(s.Close)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	s.SetFrontendURL(srv.URL)
	rc := newReceiver(t)
	ib, _ := s.AddInbox(1, InboxSpec{Name: "WhatsApp", WebhookURL: rc.URL + "/inbox", MemberIDs: []int{agentAcme}})
	ct, _ := s.AddContact(1, ContactSpec{Name: "Maria", PhoneNumber: "+5531999990000", InboxID: ib.ID, SourceID: "5531999990000"})
	cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: "5531999990000"})
	s.AddMessage(1, cv.DisplayID, MessageSpec{MessageType: "incoming", Content: "oi, meu pedido?"})

	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return void(chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second)))
	}
	agent := userOf(s, agentAcme)
	// "/" is the SPA shell; its router sends an anonymous visitor to the login page.
	must("shell", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`[data-testid="email_input"]`)))
	must("login", chromedp.Do(ctx,
		chromedp.SendKeys(`[data-testid="email_input"]`, agent.Email),
		chromedp.SendKeys(`[data-testid="password_input"]`, agent.Password),
		chromedp.Click(`[data-testid="submit_button"]`),
		chromedp.WaitReady(`aside`),
	))
	must("app shell with a session", chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/app"), chromedp.WaitReady(`aside`)))
	if p, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || p != "/app/accounts/1/dashboard" {
		t.Errorf("/app with a session landed on %q (%v)", p, err)
	}
	must("open the conversation", chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/app/accounts/1/conversations/"+strconv.Itoa(cv.DisplayID)),
		chromedp.WaitReady(`[data-cwsim-reply]`),
		poll(`[...document.querySelectorAll('li[data-message-type="0"]')].some(li => li.textContent.includes('oi, meu pedido?'))`),
		chromedp.Evaluate[chromedp.Void](`window.__violations = []; document.addEventListener('securitypolicyviolation', e => __violations.push(e.violatedDirective))`),
	))
	must("reply", chromedp.Do(ctx,
		chromedp.SendKeys(`[data-cwsim-reply-input]`, "Já saiu para entrega"),
		chromedp.Click(`[data-cwsim-reply-send]`),
		poll(`[...document.querySelectorAll('li[data-message-type="1"]')].some(li => li.textContent.includes('Já saiu para entrega'))`),
	))
	var replyID int
	waitFor(t, "the reply to reach the hub", func() bool {
		for _, b := range rc.bodies("/inbox", "message_created") {
			if b["content"] == "Já saiu para entrega" && b["message_type"] == "outgoing" && dig(t, b, "sender", "type") == "user" {
				replyID = num(b["id"])
				return true
			}
		}
		return false
	})
	// The hub reports WhatsApp's ticks; the page shows them without a reload.
	admin := http.Header{"Api_access_token": {userOf(s, adminAcme).APIAccessToken}}
	path := "/api/v1/accounts/1/conversations/" + strconv.Itoa(cv.DisplayID) + "/messages/" + strconv.Itoa(replyID)
	li := `document.querySelector('li[data-message-id="` + strconv.Itoa(replyID) + `"]')`
	for _, status := range []string{"delivered", "read"} {
		want(t, do(t, s, "PATCH", path, admin, map[string]any{"status": status}), 200)
		must(status, chromedp.Do(ctx, poll(li+`.getAttribute('data-message-status') === '`+status+`'`)))
	}
	// A hub that refuses the callback: Chatwoot marks the reply failed.
	rc.mu.Lock()
	rc.status = func(string) int { return http.StatusInternalServerError }
	rc.mu.Unlock()
	must("failed reply", chromedp.Do(ctx,
		chromedp.SendKeys(`[data-cwsim-reply-input]`, "segunda"),
		chromedp.Click(`[data-cwsim-reply-send]`),
		poll(`[...document.querySelectorAll('li[data-message-status="failed"]')].some(li =>
			li.textContent.includes('segunda') && li.querySelector('[data-external-error]').textContent === '500 Internal Server Error')`),
	))
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__violations`))
	if err != nil || len(violations) != 0 {
		t.Errorf("CSP violations %v (%v)", violations, err)
	}
	raw, _ := json.Marshal(s.Messages(1, cv.DisplayID))
	if got := s.Messages(1, cv.DisplayID); got[len(got)-1].Status != "failed" {
		t.Errorf("messages = %s", raw)
	}
}
