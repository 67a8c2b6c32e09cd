package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/whatpro/hub/internal/demo"
)

// startDemo runs `whatpro demo` on free ports and a fresh data dir, reads
// its first line (the JSON summary) and stops it with Ctrl-C at the end of
// the test, which fails unless everything exits cleanly.
func startDemo(t *testing.T) *demo.Summary {
	t.Helper()
	cmd := exec.Command(binPath, "demo", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(t.TempDir(), "demo"))
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WHATPRO_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	logs := &syncBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the demo: %v", err)
	}
	done := make(chan error, 1)
	first := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		lines.Buffer(make([]byte, 64<<10), 1<<20)
		if lines.Scan() {
			first <- lines.Text()
		}
		close(first)
		for lines.Scan() {
		}
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Errorf("Ctrl-C: %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the demo did not exit cleanly after Ctrl-C: %v\n%s", err, logs)
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("the demo did not stop within 30 s of Ctrl-C\n%s", logs)
		}
		if t.Failed() {
			t.Logf("demo stderr:\n%s", logs)
		}
	})
	var line string
	select {
	case l, ok := <-first:
		if !ok {
			t.Fatalf("the demo printed nothing\n%s", logs)
		}
		line = l
	case <-time.After(2 * time.Minute):
		t.Fatalf("the demo printed nothing in 2 minutes\n%s", logs)
	}
	var sum demo.Summary
	if err := json.Unmarshal([]byte(line), &sum); err != nil {
		t.Fatalf("the demo's first line is not its JSON summary: %v\n%s", err, line)
	}
	return &sum
}

// The demo's whole loop in a browser: a new customer writes on the
// Evolution simulator's phone page; the message shows in the Chatwoot
// simulator's conversation and the customer's deal appears live on the
// hub's board; the agent replies in Chatwoot; the phone shows the reply
// with its ticks (sent, delivered while the chat is closed, read once it
// opens), which Chatwoot shows too; the seller moves the deal on the board.
func TestDemoFullLoop(t *testing.T) {
	requireBrowser(t)
	sum := startDemo(t)
	hubURL := strings.TrimSuffix(sum.ConsoleURL, "/")
	var agent demo.Login
	for _, l := range sum.Chatwoot {
		if l.Role == "administrator" {
			agent = l
		}
	}
	if agent.Email == "" {
		t.Fatalf("no Chatwoot administrator among the demo's logins: %+v", sum.Chatwoot)
	}
	const (
		number   = "5511987659999"
		name     = "Carla Mendes"
		asks     = "Oi! Vocês têm a mesa de jantar em estoque?"
		answer   = "Temos sim, Carla! Entrego amanhã."
		customer = `[data-chat="` + number + `@s.whatsapp.net"]`
	)

	// The hub's board, as the seller watches it.
	console := newBrowser(t)
	console.step("open the console's login", chromedp.Navigate(hubURL+"/login"), chromedp.WaitVisible(testID("login-email")))
	console.step("sign in to the console",
		chromedp.SendKeys(testID("login-email"), sum.Console.Email),
		chromedp.SendKeys(testID("login-password"), sum.Console.Password),
		chromedp.Click(testID("login-submit")),
	)
	console.waitPath("/accounts")
	console.step("open the board", chromedp.Navigate(fmt.Sprintf("%s/accounts/%s/boards", hubURL, sum.AccountID)))
	console.waitPath(fmt.Sprintf("/accounts/%s/boards/%s", sum.AccountID, sum.BoardID))
	console.waitBoardLive()
	dealShown := fmt.Sprintf(`[...document.querySelectorAll('[data-testid="kanban-card"]')].some((c) => c.textContent.includes(%s))`, jsString(name))
	if eval[bool](console, dealShown) {
		t.Fatal("the new customer's deal is on the board before they wrote")
	}

	// The customer's phone: a new chat, the customer writes.
	phone := console.newTab("phone")
	phone.step("open the phone", chromedp.Navigate(sum.PhoneURL), chromedp.WaitVisible(`[data-phone-new] input[name="number"]`))
	phone.waitFor("the phone's first refresh", `document.querySelector('[data-phone-owner]').textContent !== ''`)
	phone.step("the customer writes",
		chromedp.SendKeys(`[data-phone-new] input[name="number"]`, number),
		chromedp.SendKeys(`[data-phone-new] input[name="name"]`, name),
		chromedp.Click(`[data-phone-new] button`),
		chromedp.WaitVisible(`[data-phone-compose] input`),
		chromedp.SendKeys(`[data-phone-compose] input`, asks),
		chromedp.Click(`[data-phone-compose] button`),
	)
	phone.waitFor("the customer's message on the phone", fmt.Sprintf(
		`[...document.querySelectorAll('[data-message]')].some((li) => li.textContent.includes(%s))`, jsString(asks)))
	// The customer leaves the chat: the reply will be delivered, not read.
	phone.step("close the chat", chromedp.Click(`[data-phone-back]`))
	phone.waitFor("the chat closed", `document.querySelector('[data-phone-chat]').hidden`)
	// Every tick the phone shows for the reply, in order (DevTools code, not the page's).
	eval[bool](phone, fmt.Sprintf(`(() => {
  window.__replyTicks = [];
  const look = () => {
    for (const el of document.querySelectorAll('[data-ticks]')) {
      const li = el.closest('li');
      if (!li || !li.textContent.includes(%s)) continue;
      const s = el.dataset.ticks;
      if (window.__replyTicks[window.__replyTicks.length - 1] !== s) window.__replyTicks.push(s);
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  return true;
})()`, jsString(answer)))

	// The deal appears on the board by itself.
	console.waitFor("the new customer's deal on the board", dealShown)

	// Chatwoot: the agent finds the conversation and replies.
	cw := console.newTab("chatwoot")
	cw.step("open Chatwoot", chromedp.Navigate(strings.TrimSuffix(sum.ChatwootURL, "/app/accounts/1/dashboard")+"/"),
		chromedp.WaitVisible(`[data-testid="email_input"]`))
	cw.step("sign in to Chatwoot",
		chromedp.SendKeys(`[data-testid="email_input"]`, agent.Email),
		chromedp.SendKeys(`[data-testid="password_input"]`, agent.Password),
		chromedp.Click(`[data-testid="submit_button"]`),
	)
	// Signed in, Chatwoot opens the account's dashboard: its conversations.
	cw.waitFor("the dashboard's conversations", fmt.Sprintf(`location.href === %s && document.querySelector('[data-cwsim-conversations]') !== null`,
		jsString(sum.ChatwootURL)))
	convLink := fmt.Sprintf(`[...document.querySelectorAll('[data-cwsim-conversations] a')].find((a) => a.textContent.includes(%s))`, jsString(name))
	cw.waitFor("the customer's conversation in the list", convLink+` !== undefined`)
	convID := eval[string](cw, convLink+`.dataset.conversationId`)
	cw.step("open the customer's conversation", chromedp.Click(fmt.Sprintf(`[data-cwsim-conversations] a[data-conversation-id="%s"]`, convID)))
	cw.waitFor("the customer's message in Chatwoot", fmt.Sprintf(
		`[...document.querySelectorAll('li[data-message-type="0"]')].some((li) => li.textContent.includes(%s))`, jsString(asks)))
	cw.step("the agent replies",
		chromedp.WaitVisible(`[data-cwsim-reply-input]`),
		chromedp.SendKeys(`[data-cwsim-reply-input]`, answer),
		chromedp.Click(`[data-cwsim-reply-send]`),
	)
	replyLi := fmt.Sprintf(`[...document.querySelectorAll('li[data-message-type="1"]')].find((li) => li.textContent.includes(%s))`, jsString(answer))
	cw.waitFor("the reply in Chatwoot", replyLi+` !== undefined`)
	replyID := eval[string](cw, replyLi+`.dataset.messageId`)
	eval[bool](cw, fmt.Sprintf(`(() => {
  window.__replyStatuses = [];
  const look = () => {
    const s = document.querySelector('li[data-message-id="%s"]')?.dataset.messageStatus;
    if (s && window.__replyStatuses[window.__replyStatuses.length - 1] !== s) window.__replyStatuses.push(s);
  };
  look();
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  return true;
})()`, replyID))

	// The phone: the reply arrives in the closed chat (delivered), then
	// the customer opens it (read); Chatwoot follows each receipt.
	replyInList := fmt.Sprintf(`document.querySelector(%s)`, jsString(customer+` [data-ticks]`))
	phone.waitFor("the reply delivered on the phone", fmt.Sprintf(
		`document.querySelector(%s)?.textContent.includes(%s) && %s?.dataset.ticks === 'DELIVERY_ACK'`, jsString(customer), jsString(answer), replyInList))
	cw.waitFor("delivered in Chatwoot", fmt.Sprintf(`document.querySelector('li[data-message-id="%s"]')?.dataset.messageStatus === 'delivered'`, replyID))
	phone.step("open the chat", chromedp.Click(customer))
	replyOnPhone := fmt.Sprintf(`[...document.querySelectorAll('[data-message]')].find((li) => li.textContent.includes(%s))`, jsString(answer))
	phone.waitFor("the reply read on the phone", replyOnPhone+`?.dataset.status === 'READ' && `+replyOnPhone+`.querySelector('.ticks.read') !== null`)
	cw.waitFor("read in Chatwoot", fmt.Sprintf(`document.querySelector('li[data-message-id="%s"]')?.dataset.messageStatus === 'read'`, replyID))
	if got := eval[[]string](phone, `window.__replyTicks`); strings.Join(got, ",") != "SERVER_ACK,DELIVERY_ACK,READ" {
		t.Errorf("the phone showed the reply's ticks %v, want sent, delivered, read", got)
	}
	if got := eval[[]string](cw, `window.__replyStatuses`); strings.Join(got, ",") != "sent,delivered,read" {
		t.Errorf("Chatwoot showed the reply's statuses %v, want sent, delivered, read", got)
	}

	// The seller moves the deal to the next stage with the keyboard; the hub has it there.
	api := &apiClient{t: t, base: hubURL}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	api.do("POST", "/api/v1/auth/login", map[string]string{"email": sum.Console.Email, "password": sum.Console.Password}, http.StatusOK, &tok)
	api.token = tok.AccessToken
	board := &kanbanBoard{api: api, accountID: sum.AccountID, ID: sum.BoardID}
	var full struct {
		Stages []kbStage `json:"stages"`
	}
	api.do("GET", board.path(""), nil, http.StatusOK, &full)
	board.Stages = full.Stages
	cardID := eval[string](console, fmt.Sprintf(
		`[...document.querySelectorAll('[data-testid="kanban-card"]')].find((c) => c.textContent.includes(%s)).dataset.cardId`, jsString(name)))
	from := board.card(cardID)
	next := ""
	for i, st := range board.Stages[:len(board.Stages)-1] {
		if st.ID == from.StageID {
			next = board.Stages[i+1].ID
		}
	}
	if next == "" || from.Title != name {
		t.Fatalf("the new deal %+v is not in an open stage of %v", from, board.Stages)
	}
	console.focusCard(cardID)
	console.keys("pick the deal up", " ")
	console.waitFor("the deal picked up", `document.querySelector('[data-testid="kanban-board"]')?.dataset.dragging === 'keyboard'`)
	console.keys("move it a column right and drop it", kb.ArrowRight, kb.Enter)
	console.waitFor("the deal in the next column", cardIn(cardID, next, -1))
	if c := board.card(cardID); c.StageID != next {
		t.Errorf("the hub has the moved deal in %s, want %s", c.StageID, next)
	}
	for _, b := range []*browser{console, phone} {
		b.assertClean()
	}
}
