package providersim

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPhonePage drives the Evolution phone page: the business's
// reply shows up with its ticks as the phone reads it (delivered while the
// page is open, read once its chat is open), and the customer writes back.
func TestBrowserPhonePage(t *testing.T) {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is required under CI")
		}
		t.Skip("chromium not installed")
	}
	h := newEvoHook(t, Options{}, false)
	_, in := h.post(t, "/_sim/instances/n1/messages", `{"from":"5511987654321","push_name":"Maria","text":"qual o prazo?"}`)
	_, reply := h.post(t, "/message/sendText/n1", `{"number":"5511987654321","text":"Chega amanhã"}`)
	replyID := dig(reply, "key", "id").(string)
	h.post(t, "/chat/markMessageAsRead/n1", `{"readMessages":[{"remoteJid":"5511987654321@s.whatsapp.net","fromMe":false,"id":"`+dig(in, "key", "id").(string)+`"}]}`)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	ackStatuses := func() []string {
		flush(t, h.e)
		var out []string
		for _, b := range h.bodies(t, "messages.update") {
			if dig(b, "data", "keyId") == replyID {
				out = append(out, dig(b, "data", "status").(string))
			}
		}
		return out
	}
	must("open the phone", chromedp.Do(ctx,
		chromedp.Navigate(h.base+"/_sim/instances/n1/phone"),
		chromedp.WaitReady(`[data-chat="5511987654321@s.whatsapp.net"]`),
		chromedp.Evaluate[chromedp.Void](`window.__violations = []; document.addEventListener('securitypolicyviolation', e => __violations.push(e.violatedDirective))`),
	))
	// Online but the chat closed: delivered, not read.
	waitUntil(t, "the delivery receipt", func() bool { return slices.Contains(ackStatuses(), "DELIVERY_ACK") })
	if slices.Contains(ackStatuses(), "READ") {
		t.Fatal("read before the chat was opened")
	}
	must("open the chat", chromedp.Do(ctx,
		chromedp.Click(`[data-chat="5511987654321@s.whatsapp.net"]`),
		poll(`document.querySelector('[data-message="`+replyID+`"]')?.dataset.status === 'READ'`),
		poll(`document.querySelector('[data-message="`+dig(in, "key", "id").(string)+`"] .ticks.read') !== null`),
	))
	if got := ackStatuses(); !slices.Equal(got, []string{"SERVER_ACK", "DELIVERY_ACK", "READ"}) {
		t.Errorf("acks = %v", got)
	}
	must("write back", chromedp.Do(ctx,
		chromedp.SendKeys(`[data-phone-compose] input`, "Obrigada!"),
		chromedp.Click(`[data-phone-compose] button`),
		poll(`[...document.querySelectorAll('[data-message]')].some(li => li.textContent.includes('Obrigada!'))`),
	))
	flush(t, h.e)
	var wrote bool
	for _, b := range h.bodies(t, "messages.upsert") {
		if dig(b, "data", "message", "conversation") == "Obrigada!" && dig(b, "data", "key", "remoteJid") == "5511987654321@s.whatsapp.net" &&
			dig(b, "data", "pushName") == "Maria" {
			wrote = true
		}
	}
	if !wrote {
		t.Error("the customer's message did not reach the hub")
	}
	// The chat list shows the last message's ticks; the back arrow closes
	// the chat; a new chat takes the customer's number and profile name.
	must("list ticks and back", chromedp.Do(ctx,
		poll(`document.querySelector('[data-chat="5511987654321@s.whatsapp.net"] [data-ticks]') !== null`),
		chromedp.Click(`[data-phone-back]`),
		poll(`document.querySelector('[data-phone-chat]').hidden && !document.querySelector('[data-phone-empty]').hidden`),
		chromedp.SendKeys(`[data-phone-new] input[name="number"]`, "5521988887777"),
		chromedp.SendKeys(`[data-phone-new] input[name="name"]`, "Rita"),
		chromedp.Click(`[data-phone-new] button`),
		chromedp.SendKeys(`[data-phone-compose] input`, "Oi, tem catálogo?"),
		chromedp.Click(`[data-phone-compose] button`),
		poll(`document.querySelector('[data-chat="5521988887777@s.whatsapp.net"]')?.textContent.includes('Rita')`),
	))
	flush(t, h.e)
	var rita bool
	for _, b := range h.bodies(t, "messages.upsert") {
		rita = rita || (dig(b, "data", "pushName") == "Rita" && dig(b, "data", "message", "conversation") == "Oi, tem catálogo?")
	}
	if !rita {
		t.Error("the new chat's message did not carry the typed profile name")
	}
	must("back to Maria", chromedp.Do(ctx, chromedp.Click(`[data-chat="5511987654321@s.whatsapp.net"]`)))
	// The business typing shows on the phone.
	h.post(t, "/chat/sendPresence/n1", `{"number":"5511987654321","presence":"composing"}`)
	must("typing", chromedp.Do(ctx, poll(`document.querySelector('[data-phone-presence]').textContent.startsWith('digitando')`)))
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__violations`))
	if err != nil || len(violations) != 0 {
		t.Errorf("CSP violations %v (%v)", violations, err)
	}
	resp, err := http.Get(h.base + "/_sim/instances/n1/phone")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != phoneCSP {
		t.Errorf("phone page = %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	if status, _ := call(t, "GET", h.base+"/_sim/instances/ghost/phone", nil, ""); status != 404 {
		t.Errorf("phone of an unknown instance = %d", status)
	}
	if status, _ := call(t, "GET", h.base+"/_sim/assets/phone.html", nil, ""); status != 404 {
		t.Errorf("the page template is not an asset: %d", status)
	}
}
