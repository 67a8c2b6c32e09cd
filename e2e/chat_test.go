package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

const chatPassword = "e2e-Chat-Horse-5813"

// chatPerson is a member of the test account with an API session and a browser on the console.
type chatPerson struct {
	name, email string
	id          string
	api         *apiClient
	b           *browser
}

type chatMsg struct {
	ID        string   `json:"id"`
	Seq       int64    `json:"seq"`
	Kind      string   `json:"kind"`
	AuthorID  string   `json:"author_id"`
	Content   string   `json:"content"`
	EchoID    *string  `json:"echo_id"`
	Mentions  []string `json:"mentions"`
	EditedAt  *string  `json:"edited_at"`
	DeletedAt *string  `json:"deleted_at"`
	Reactions []struct {
		Emoji string `json:"emoji"`
		Count int    `json:"count"`
	} `json:"reactions"`
}

// chatSetup starts a hub with an account and two agents, each signed in to the console in a
// browser of their own (two people, two windows).
func chatSetup(t *testing.T) (*hub, string, *chatPerson, *chatPerson) {
	t.Helper()
	h := startHub(t)
	super := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	super.do("POST", "/api/v1/accounts", map[string]string{"name": "Acme Chat"}, http.StatusCreated, &account)
	people := []*chatPerson{{name: "Ana Souza", email: "ana@chat.test"}, {name: "Bruno Lima", email: "bruno@chat.test"}}
	for _, p := range people {
		super.addPerson(account.ID, p.email, p.name, "agent", chatPassword)
		p.api = h.login(t, p.email, chatPassword)
		var me struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		p.api.do("GET", "/api/v1/me", nil, http.StatusOK, &me)
		p.id = me.User.ID
	}
	for _, p := range people {
		p.b = newBrowser(t)
		p.b.name = strings.Fields(p.name)[0]
		p.b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
		p.b.step("log in",
			chromedp.SendKeys(testID("login-email"), p.email),
			chromedp.SendKeys(testID("login-password"), chatPassword),
			chromedp.Click(testID("login-submit")),
		)
		p.b.waitFor("signed in", `location.pathname !== '/login'`)
		p.b.openChat(h, account.ID, "")
	}
	return h, account.ID, people[0], people[1]
}

func (b *browser) openChat(h *hub, accountID, roomID string) {
	b.t.Helper()
	path := fmt.Sprintf("/accounts/%s/chat", accountID)
	if roomID != "" {
		path += "/" + roomID
	}
	b.step("open the chat", chromedp.Navigate(h.URL+path))
	b.waitChatLive()
}

func (b *browser) waitChatLive() {
	b.t.Helper()
	b.waitFor("the chat, live", `document.querySelector('[data-testid="chat-panel"]')?.dataset.status === 'ready' &&
  document.querySelector('[data-testid="chat-panel"]')?.dataset.live === 'live'`)
}

// say types a message in the composer and sends it with Enter, as a person does.
func (b *browser) say(text string) {
	b.t.Helper()
	b.step("type a message", chromedp.Click(testID("chat-composer-input")), chromedp.SendKeys(testID("chat-composer-input"), text))
	b.pressEnter()
	b.waitFor("the composer emptied", `document.querySelector('[data-testid="chat-composer-input"]').value === ''`)
}

// pressEnter presses Enter in the focused element. DevTools' own Enter also types a newline
// after the key is handled, which no browser does once the page takes the key (preventDefault):
// so the key goes down and up without its text.
func (b *browser) pressEnter() {
	b.t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(b.ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter",
			WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}); err != nil {
			b.t.Fatalf("press Enter%s: %v", b.label(), err)
		}
	}
}

// clickIn clicks a message's action the way the keyboard reaches it: the message's toolbar
// shows on hover and focus, so the message is focused first.
func (b *browser) clickIn(messageID, testid string) {
	b.t.Helper()
	sel := fmt.Sprintf(`[data-message-id=%s]`, jsString(messageID))
	b.waitFor("the message "+messageID, present(sel))
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%s).focus(), true)`, jsString(sel)))
	inner := fmt.Sprintf(`%s [data-testid=%s]`, sel, jsString(testid))
	b.waitFor("the "+testid+" action", present(inner))
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%s).click(), true)`, jsString(inner)))
}

func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// shownMessagesJS lists the text messages the room shows, in order (optimistic copies included).
const shownMessagesJS = `[...document.querySelectorAll('[data-testid="chat-message"][data-kind="text"]')].map((m) => ({
  id: m.dataset.messageId ?? '', pending: m.dataset.pending ?? '', deleted: m.dataset.deleted === 'true', edited: m.dataset.edited === 'true',
  content: m.querySelector('[data-testid="chat-message-content"]')?.textContent.trim() ?? '' }))`

type shownMsg struct {
	ID      string `json:"id"`
	Pending string `json:"pending"`
	Deleted bool   `json:"deleted"`
	Edited  bool   `json:"edited"`
	Content string `json:"content"`
}

func hubMessages(t *testing.T, api *apiClient, accountID, roomID string) []chatMsg {
	t.Helper()
	var page struct {
		Data []chatMsg `json:"data"`
	}
	api.do("GET", fmt.Sprintf("/api/v1/accounts/%s/chat/rooms/%s/messages?limit=200", accountID, roomID), nil, http.StatusOK, &page)
	var out []chatMsg
	for _, m := range page.Data {
		if m.Kind == "text" {
			out = append(out, m)
		}
	}
	return out
}

// waitMatchesHub waits until the window shows the room's text messages exactly as the hub has
// them: the same ids in the same order, each once, deleted ones as tombstones, edits marked.
func (b *browser) waitChatMatchesHub(api *apiClient, accountID, roomID string) {
	b.t.Helper()
	want := hubMessages(b.t, api, accountID, roomID)
	var conds []string
	conds = append(conds, fmt.Sprintf(`s.length === %d`, len(want)))
	for i, m := range want {
		c := fmt.Sprintf(`s[%d].id === %s && s[%d].deleted === %t && s[%d].edited === %t`, i, jsString(m.ID), i, m.DeletedAt != nil, i, m.EditedAt != nil)
		if m.DeletedAt == nil {
			// The page shows the text without its markup (the messages here use bold only).
			c += fmt.Sprintf(` && s[%d].content === %s`, i, jsString(strings.ReplaceAll(strings.TrimSpace(m.Content), "**", "")))
		}
		conds = append(conds, c)
	}
	b.waitFor(fmt.Sprintf("the room to match the hub (%d messages)", len(want)), `(() => { const s = `+shownMessagesJS+`; return `+strings.Join(conds, " && ")+`; })()`)
	seen := map[string]bool{}
	for _, m := range eval[[]shownMsg](b, shownMessagesJS) {
		if m.ID == "" || seen[m.ID] {
			b.t.Errorf("message %+v shown twice or still pending%s", m, b.label())
		}
		seen[m.ID] = true
	}
}

// (1) Two people chat in two windows: a DM started from the starter, messages typed in the
// composer with a mention, a reply and a reaction. One window goes offline while messages,
// an edit and a delete arrive; back online it resumes from its last event and shows the room
// exactly as the hub has it: nothing missing, nothing twice, in order.
func TestChatTwoWindowsResumeAfterDisconnect(t *testing.T) {
	requireBrowser(t)
	h, accountID, ana, bruno := chatSetup(t)
	a, b := ana.b, bruno.b

	// Ana starts a DM with Bruno from the starter; it appears in Bruno's open window by itself.
	a.step("open the starter", chromedp.Click(testID("chat-start")))
	a.waitFor("the people", present(fmt.Sprintf(`[data-testid="chat-starter-person"][data-user-id=%s]`, jsString(bruno.id))))
	a.step("pick Bruno", chromedp.Click(fmt.Sprintf(`[data-testid="chat-starter-person"][data-user-id=%s]`, jsString(bruno.id))),
		chromedp.Click(testID("chat-starter-open-dm")))
	a.waitFor("the DM open", `document.querySelector('[data-testid="chat-room-view"]')?.dataset.status === 'ready'`)
	a.waitText(`[data-testid="chat-room-name"]`, "Bruno Lima")
	roomID := eval[string](a, `document.querySelector('[data-testid="chat-room-view"]').dataset.roomId`)
	b.waitFor("the new DM in Bruno's list", present(fmt.Sprintf(`[data-testid="chat-room"][data-room-id=%s]`, jsString(roomID))))

	a.say("Oi Bruno, tudo bem?")
	a.say("Viu o **pedido** 123?")
	a.say("Preciso de ajuda")
	a.waitFor("Ana's three messages, sent", `(() => { const s = `+shownMessagesJS+`; return s.length === 3 && s.every((m) => m.id && !m.pending); })()`)
	b.waitFor("the unread badge in Bruno's list", fmt.Sprintf(`document.querySelector('[data-testid="chat-room"][data-room-id=%s]')?.dataset.unread === '3'`, jsString(roomID)))
	b.step("Bruno opens the DM", chromedp.Click(fmt.Sprintf(`[data-testid="chat-room"][data-room-id=%s]`, jsString(roomID))))
	b.waitChatMatchesHub(ana.api, accountID, roomID)
	b.waitFor("the DM read", fmt.Sprintf(`document.querySelector('[data-testid="chat-room"][data-room-id=%s]')?.dataset.unread === '0'`, jsString(roomID)))

	// Bruno mentions Ana through the suggestions (keyboard only) and reacts to her first message.
	b.step("type a mention", chromedp.Click(testID("chat-composer-input")), chromedp.SendKeys(testID("chat-composer-input"), "Claro @An"))
	b.waitFor("the suggestion", present(fmt.Sprintf(`[data-testid="chat-mention-option"][data-user-id=%s]`, jsString(ana.id))))
	b.pressEnter()
	b.waitFor("the name written", `document.querySelector('[data-testid="chat-composer-input"]').value === 'Claro @Ana Souza '`)
	b.step("finish the message", chromedp.SendKeys(testID("chat-composer-input"), "já vejo"))
	b.pressEnter()
	first := hubMessages(t, ana.api, accountID, roomID)[0]
	b.clickIn(first.ID, "chat-action-react")
	b.clickIn(first.ID, "chat-react-👍")
	a.waitFor("the reaction in Ana's window", fmt.Sprintf(`document.querySelector('[data-message-id=%s] [data-testid="chat-reaction"][data-emoji="👍"]')?.dataset.count === '1'`, jsString(first.ID)))
	a.waitFor("the mention in Ana's window", fmt.Sprintf(`[...document.querySelectorAll('[data-testid="chat-mention"]')].some((m) => m.dataset.userId === %s)`, jsString(ana.id)))
	msgs := hubMessages(t, ana.api, accountID, roomID)
	if last := msgs[len(msgs)-1]; len(last.Mentions) != 1 || last.Mentions[0] != ana.id || last.EchoID == nil {
		t.Fatalf("Bruno's message is %+v, want a mention of Ana and an echo id", last)
	}

	// Bruno sends a picture: it uploads as it is chosen and shows in Ana's window, its bytes
	// fetched with her credentials.
	pic := filepath.Join(t.TempDir(), "grafico.png")
	writePNG(t, pic, 8, 8)
	b.step("attach a picture", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid="chat-composer-file-input"]`), []string{pic}))
	b.waitFor("the upload ready", present(`[data-testid="chat-composer-file"]`))
	b.say("segue o gráfico")
	a.waitFor("the picture in Ana's window", `[...document.querySelectorAll('[data-testid="chat-attachment-image"]')].some((i) => i.complete && i.naturalWidth === 8)`)

	// Bruno's window goes offline; Ana keeps writing, edits and deletes.
	b.setOffline(true)
	b.waitFor("Bruno's window to know it is offline", `document.querySelector('[data-testid="chat-panel"]')?.dataset.live === 'offline'`)
	a.say("Mensagem enquanto você estava fora")
	a.say("Mais uma")
	second, third := msgs[1], msgs[2]
	ana.api.do("PATCH", fmt.Sprintf("/api/v1/accounts/%s/chat/rooms/%s/messages/%s", accountID, roomID, second.ID),
		map[string]any{"content": "Viu o **pedido** 124?"}, http.StatusOK, nil)
	// The delete goes through the page, as a person deletes.
	a.clickIn(third.ID, "chat-action-delete")
	a.step("confirm", chromedp.Click(testID("chat-delete-yes")))
	ana.api.do("POST", fmt.Sprintf("/api/v1/accounts/%s/chat/rooms/%s/messages", accountID, roomID),
		map[string]any{"content": "Enviada pela API", "echo_id": "api-1"}, http.StatusCreated, nil)
	a.waitChatMatchesHub(ana.api, accountID, roomID)
	a.waitFor("the edit marked", fmt.Sprintf(`document.querySelector('[data-message-id=%s]')?.dataset.edited === 'true'`, jsString(second.ID)))
	a.waitFor("the tombstone", fmt.Sprintf(`document.querySelector('[data-message-id=%s] [data-testid="chat-message-tombstone"]') !== null`, jsString(third.ID)))
	if eval[string](b, `document.querySelector('[data-testid="chat-panel"]').dataset.live`) != "offline" {
		t.Fatal("Bruno's window reconnected while offline")
	}
	if got := len(eval[[]shownMsg](b, shownMessagesJS)); got != 5 {
		t.Fatalf("Bruno's offline window changed while offline: %d messages", got)
	}

	b.setOffline(false)
	b.waitChatLive()
	b.waitChatMatchesHub(ana.api, accountID, roomID)
	b.screenshot("after-reconnect")
	a.screenshot("sender")

	a.assertClean()
	b.assertClean()
	a.assertNoConsoleErrors()
	b.assertNoConsoleErrors()
	_ = h
}

// (2) A long room reads page by page: only a window of its messages is in the page, older pages
// arrive as the top comes near, each message once and in order.
func TestChatVirtualScrollAndPaging(t *testing.T) {
	requireBrowser(t)
	h, accountID, ana, bruno := chatSetup(t)
	var room struct {
		ID string `json:"id"`
	}
	ana.api.do("POST", "/api/v1/accounts/"+accountID+"/chat/rooms", map[string]any{"type": "public", "name": "Vendas", "member_ids": []string{bruno.id}},
		http.StatusCreated, &room)
	const n = 160
	for i := 1; i <= n; i++ {
		ana.api.do("POST", fmt.Sprintf("/api/v1/accounts/%s/chat/rooms/%s/messages", accountID, room.ID),
			map[string]any{"content": fmt.Sprintf("mensagem %03d", i), "echo_id": fmt.Sprintf("seed-%d", i)}, http.StatusCreated, nil)
	}
	b := bruno.b
	b.openChat(h, accountID, room.ID)
	b.waitFor("the newest message", `[...document.querySelectorAll('[data-testid="chat-message-content"]')].some((c) => c.textContent.trim() === 'mensagem 160')`)
	rendered := eval[int](b, `Number(document.querySelector('[data-testid="chat-messages"]').dataset.rendered)`)
	total := eval[int](b, `Number(document.querySelector('[data-testid="chat-messages"]').dataset.total)`)
	if rendered >= total || total > 60 {
		t.Fatalf("rendered %d of %d loaded messages: want a window of the first page", rendered, total)
	}
	// Scroll to the top until the first message is there.
	b.waitFor("every page read, scrolled to the top", `(() => { const el = document.querySelector('[data-testid="chat-messages"]'); el.scrollTop = 0;
  el.dispatchEvent(new Event('scroll')); return document.querySelector('[data-testid="chat-messages-start"]') !== null; })()`)
	texts := eval[[]string](b, `[...document.querySelectorAll('[data-testid="chat-message-content"]')].map((c) => c.textContent.trim())`)
	if len(texts) == 0 || texts[0] != "mensagem 001" {
		raw, _ := json.Marshal(texts)
		t.Fatalf("at the top the list shows %s", raw)
	}
	for i := 1; i < len(texts); i++ {
		if texts[i] <= texts[i-1] {
			t.Fatalf("out of order or twice: %q after %q", texts[i], texts[i-1])
		}
	}
	b.assertClean()
	b.assertNoConsoleErrors()
}
