package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/whatpro/hub/internal/mail/mailtest"
)

// An admin invites a new person from the Users page without choosing their password; the page
// shows the hand-over link once (no mail here). The person opens it in their own browser,
// chooses a password and lands in the account, with the token gone from the address bar.
func TestInvitationActivationInTheBrowser(t *testing.T) {
	requireBrowser(t)
	h := startHub(t)
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Acme Convites"}, http.StatusCreated, &account)
	api.addPerson(account.ID, "owner@acme.example", "Olga Owner", "admin", "e2e-Owner-Password-7712")

	admin := newBrowser(t)
	admin.step("log in as the account admin", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")),
		chromedp.SendKeys(testID("login-email"), "owner@acme.example"),
		chromedp.SendKeys(testID("login-password"), "e2e-Owner-Password-7712"),
		chromedp.Click(testID("login-submit")))
	admin.waitPath("/accounts/" + account.ID + "/users")
	admin.step("invite someone", chromedp.WaitVisible(testID("invite-email")),
		chromedp.SendKeys(testID("invite-email"), "nova@acme.example"),
		chromedp.SendKeys(testID("invite-name"), "Nova Pessoa"),
		chromedp.Click(testID("invite-submit")),
		chromedp.WaitVisible(testID("invite-link")))
	if eval[bool](admin, `document.querySelector('[data-testid="invite-password"]') !== null`) {
		t.Error("the invite form still asks the admin for a password")
	}
	link := eval[string](admin, `document.querySelector('input[data-testid="invite-link"]').value`)
	if !strings.HasPrefix(link, h.URL+"/invitation#token=wpa_") {
		t.Fatalf("the hand-over link is %q", link)
	}
	admin.screenshot("invite-link")

	person := newBrowser(t)
	person.step("open the invitation", chromedp.Navigate(link), chromedp.WaitVisible(testID("invitation-password")))
	if loc := person.location(); strings.Contains(loc, "wpa_") {
		t.Errorf("the token stays in the address bar: %s", loc)
	}
	person.waitContains(`[data-testid="invitation-summary"]`, "Acme Convites")
	person.screenshot("invitation")
	person.step("choose a password",
		chromedp.SendKeys(testID("invitation-password"), "nova-own-passphrase-31"),
		chromedp.SendKeys(testID("invitation-confirm"), "nova-own-passphrase-31"),
		chromedp.Click(testID("invitation-submit")))
	person.waitPath("/accounts/" + account.ID)
	person.assertClean()

	// The link worked once: opened again, it says so.
	again := newBrowser(t)
	again.step("open the used link", chromedp.Navigate(link), chromedp.WaitVisible(testID("invitation-invalid")))
	h.login(t, "nova@acme.example", "nova-own-passphrase-31")
}

// Forgot password, by mail: the login page leads to the request form, which says the same for
// any address; the mailed link (read from a real SMTP server in this process) opens the reset
// page, the new password works and the old one does not.
func TestForgotAndResetPasswordInTheBrowser(t *testing.T) {
	requireBrowser(t)
	smtp := mailtest.New(t, mailtest.Plain)
	h := startHub(t, "WHATPRO_SMTP_URL="+smtp.URL("smtp"), "WHATPRO_MAIL_FROM=WhatPro Hub <hub@example.test>")

	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-forgot")))
	b.step("forgot", chromedp.Click(testID("login-forgot")), chromedp.WaitVisible(testID("forgot-email")))
	b.step("ask for a link", chromedp.SendKeys(testID("forgot-email"), adminEmail), chromedp.Click(testID("forgot-submit")),
		chromedp.WaitVisible(testID("forgot-sent")))
	sent := b.text(`[data-testid="forgot-sent"]`)
	b.screenshot("forgot-sent")

	// The same words for an address without a login.
	other := newBrowser(t)
	other.step("ask for a stranger", chromedp.Navigate(h.URL+"/forgot-password"), chromedp.WaitVisible(testID("forgot-email")),
		chromedp.SendKeys(testID("forgot-email"), "stranger@example.com"), chromedp.Click(testID("forgot-submit")),
		chromedp.WaitVisible(testID("forgot-sent")))
	if got := other.text(`[data-testid="forgot-sent"]`); strings.ReplaceAll(got, "stranger@example.com", "X") != strings.ReplaceAll(sent, adminEmail, "X") {
		t.Errorf("the answers differ: %q vs %q", got, sent)
	}

	var link string
	deadline := time.Now().Add(waitTimeout)
	for link == "" {
		if got := smtp.To(adminEmail); len(got) > 0 {
			link = got[0].Link()
		} else if time.Now().After(deadline) {
			t.Fatalf("no reset mail within %s\n%s", waitTimeout, h.logs)
		} else {
			time.Sleep(100 * time.Millisecond) // a poll interval, not a wait for an effect
		}
	}
	if !strings.HasPrefix(link, h.URL+"/reset-password#token=wpp_") {
		t.Fatalf("reset link %q", link)
	}
	b.step("open the mailed link", chromedp.Navigate(link), chromedp.WaitVisible(testID("reset-password")))
	if strings.Contains(b.location(), "wpp_") {
		t.Errorf("the token stays in the address bar: %s", b.location())
	}
	const fresh = "e2e-Fresh-Password-9931"
	b.step("choose the new password",
		chromedp.SendKeys(testID("reset-password"), fresh),
		chromedp.SendKeys(testID("reset-confirm"), fresh),
		chromedp.Click(testID("reset-submit")),
		chromedp.WaitVisible(testID("login-password-reset")))
	b.screenshot("reset-done")
	b.step("log in with it",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), fresh),
		chromedp.Click(testID("login-submit")))
	b.waitPath("/accounts")
	b.assertClean()
	res := postJSON(t, h.URL+"/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPassword})
	if res != http.StatusUnauthorized {
		t.Errorf("the old password still works: %d", res)
	}
}

// A Chatwoot login is linked to a hub user only with that user's consent. The link minted
// inside Chatwoot, opened signed out, goes through the login page without the code in any URL;
// the page then shows what would be linked and links only after the password is entered.
func TestLinkChatwootNeedsConsentInTheBrowser(t *testing.T) {
	requireBrowser(t)
	env := newEmbedEnv(t)
	env.super.addPerson(env.accountID, "maria@acme.test", "Maria", "admin", "e2e-Maria-Password-5120")
	tok, _ := env.instanceToken(t, "bruno@acme.test")
	var minted struct {
		LinkURL string `json:"link_url"`
	}
	embedded := &apiClient{t: t, base: env.hub.URL, token: tok}
	embedded.do("POST", "/api/v1/me/chatwoot-identity/codes", nil, http.StatusCreated, &minted)
	if !strings.Contains(minted.LinkURL, "/link-chatwoot#code=wpl_") {
		t.Fatalf("link %q", minted.LinkURL)
	}
	code := minted.LinkURL[strings.Index(minted.LinkURL, "wpl_"):]

	b := newBrowser(t)
	b.step("open the link signed out", chromedp.Navigate(minted.LinkURL), chromedp.WaitVisible(testID("login-email")))
	if loc := b.location(); strings.Contains(loc, code) || !(strings.Contains(loc, "redirect=%2Flink-chatwoot") || strings.Contains(loc, "redirect=/link-chatwoot")) {
		t.Errorf("the login page's URL is %s", loc)
	}
	b.step("log in",
		chromedp.SendKeys(testID("login-email"), "maria@acme.test"),
		chromedp.SendKeys(testID("login-password"), "e2e-Maria-Password-5120"),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("link-chatwoot-preview")))
	b.waitContains(`[data-testid="link-chatwoot-user"]`, "bruno@acme.test")
	b.waitText(`[data-testid="link-chatwoot-origin"]`, env.sim.URL)
	b.screenshot("link-consent")
	// Nothing is linked yet.
	if n := identitiesOf(t, env, "maria@acme.test"); n != 0 {
		t.Fatalf("opening the page linked %d identities", n)
	}
	b.step("confirm with the password",
		chromedp.SendKeys(testID("link-chatwoot-password"), "e2e-Maria-Password-5120"),
		chromedp.Click(testID("link-chatwoot-confirm")))
	b.waitFor("the linked state", `document.querySelector('[data-testid="link-chatwoot-state"]')?.dataset.state === 'linked'`)
	if strings.Contains(b.location(), code) {
		t.Errorf("the code stays in the address bar: %s", b.location())
	}
	if n := identitiesOf(t, env, "maria@acme.test"); n != 1 {
		t.Errorf("after consent %d identities are linked", n)
	}
	b.assertClean()
}

// identitiesOf is how many Chatwoot logins sign in as the hub user: what SSO answers for Bruno's
// login tells whether it is now Maria.
func identitiesOf(t *testing.T, env *embedEnv, email string) int {
	t.Helper()
	maria := env.hub.login(t, email, "e2e-Maria-Password-5120")
	var me struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	maria.do("GET", "/api/v1/me", nil, http.StatusOK, &me)
	tok, _ := env.instanceToken(t, "bruno@acme.test")
	var v struct {
		UserID string `json:"user_id"`
	}
	req, _ := http.NewRequest("GET", env.hub.URL+"/api/v1/instance-tokens/validate", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_ = json.NewDecoder(res.Body).Decode(&v)
	if v.UserID == me.User.ID {
		return 1
	}
	return 0
}

func postJSON(t *testing.T, url string, body any) int {
	t.Helper()
	raw, _ := json.Marshal(body)
	res, err := http.Post(url, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode
}

// waitContains waits until the element's text holds want.
func (b *browser) waitContains(selector, want string) {
	b.t.Helper()
	b.waitFor(selector+" to hold "+want, `(document.querySelector(`+jsString(selector)+`)?.textContent ?? '').includes(`+jsString(want)+`)`)
}
