package providersim

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Verification records one verification GET the simulator sent, as Meta
// does when an app's callback URL or verify token is saved.
type Verification struct {
	URL         string // the full URL requested, hub.* parameters included
	VerifyToken string
	Challenge   string
	StatusCode  int    // 0 when the request failed
	Body        string // first KiB of the answer
	OK          bool   // 200 and the body is exactly the challenge
	Err         string // why it failed, as Meta would report it
}

// Callback reports the callback URL and verify token the hub registered
// (and that passed verification).
func (a *CloudAPI) Callback() (callbackURL, verifyToken string, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.callback == nil {
		return "", "", false
	}
	return a.callback.url, a.callback.verifyToken, true
}

// Verifications returns every verification attempt so far, in order.
func (a *CloudAPI) Verifications() []Verification {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.verifications)
}

type cloudRegisterBody struct {
	CallbackURL string `json:"callback_url"`
	VerifyToken string `json:"verify_token"`
}

// simRegister plays an admin saving the callback URL and verify token in
// the App Dashboard: Meta verifies first and keeps the old settings when
// verification fails.
func (a *CloudAPI) simRegister(c *cloudCall) {
	var in cloudRegisterBody
	if !decodeSim(c.w, c.body, &in) {
		return
	}
	u, err := url.Parse(in.CallbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || in.VerifyToken == "" {
		c.reply(http.StatusBadRequest, simError(`"callback_url" (an absolute http(s) URL) and "verify_token" are required`))
		return
	}
	v := a.verify(c.r.Context(), in.CallbackURL, in.VerifyToken)
	a.mu.Lock()
	a.verifications = append(a.verifications, v)
	if v.OK {
		a.callback = &cloudCallback{url: in.CallbackURL, verifyToken: in.VerifyToken}
	}
	a.mu.Unlock()
	if !v.OK {
		// The error POST /{app-id}/subscriptions gives for the same failure.
		c.graphError(http.StatusBadRequest, graphErr{Message: "(#2200) callback verification failed: " + v.Err,
			Type: "OAuthException", Code: 2200})
		return
	}
	c.reply(http.StatusOK, map[string]bool{"success": true})
}

// verify sends Meta's GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…
func (a *CloudAPI) verify(ctx context.Context, callback, token string) Verification {
	v := Verification{VerifyToken: token, Challenge: randomDigits(10)}
	sep := "?"
	if strings.Contains(callback, "?") {
		sep = "&"
	}
	v.URL = callback + sep + "hub.mode=subscribe&hub.challenge=" + v.Challenge + "&hub.verify_token=" + url.QueryEscape(token)
	ctx, cancel := context.WithTimeout(ctx, a.opts.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.URL, nil)
	if err != nil {
		v.Err = "Couldn't connect to server"
		return v
	}
	req.Header.Set("User-Agent", "facebookplatform/1.0 (+http://developers.facebook.com)")
	req.Header.Set("Accept", "*/*")
	resp, err := a.opts.HTTPClient.Do(req)
	if err != nil {
		v.Err = "Couldn't connect to server"
		return v
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	v.StatusCode, v.Body = resp.StatusCode, string(body)
	switch {
	case resp.StatusCode != http.StatusOK:
		v.Err = fmt.Sprintf("HTTP Status Code = %d", resp.StatusCode)
	case v.Body != v.Challenge:
		v.Err = fmt.Sprintf("Response does not match challenge, expected value=%q, received=%q", v.Challenge, v.Body)
	default:
		v.OK = true
	}
	return v
}

// SignatureSHA256 is Meta's X-Hub-Signature-256 value for body:
// "sha256=" + hex(HMAC-SHA256(app secret, raw body)).
func SignatureSHA256(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// signatureSHA1 is the legacy X-Hub-Signature Meta still sends alongside.
func signatureSHA1(appSecret string, body []byte) string {
	mac := hmac.New(sha1.New, []byte(appSecret))
	mac.Write(body)
	return "sha1=" + hex.EncodeToString(mac.Sum(nil))
}

// post queues a signed notification to the registered callback, behind
// the earlier ones about the same chat; false when none is registered.
func (a *CloudAPI) post(phoneNumberID, event, chat string, payload any) bool {
	a.mu.Lock()
	cb := a.callback
	a.mu.Unlock()
	if cb == nil {
		return false
	}
	body := metaJSON(payload)
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("User-Agent", "facebookexternalua")
	hdr.Set("X-Hub-Signature", signatureSHA1(a.appSecret, body))
	hdr.Set("X-Hub-Signature-256", SignatureSHA256(a.appSecret, body))
	a.enqueue(&Delivery{URL: cb.url, Event: event, Instance: phoneNumberID, Chat: chat, Body: body, Header: hdr})
	return true
}

// metaJSON encodes v the way Meta's webhook bodies are written (PHP's
// json_encode): "/" escaped as "\/" and non-ASCII as \uXXXX. A hub that
// re-encodes the JSON before checking the signature fails on these.
func metaJSON(v any) []byte {
	raw := marshal(v)
	var b strings.Builder
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		raw = raw[size:]
		switch {
		case r == '/':
			b.WriteString(`\/`)
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return []byte(b.String())
}
