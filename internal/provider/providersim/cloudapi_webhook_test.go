package providersim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// hubVerifier answers Meta's verification GET like the hub should: the
// challenge as plain text when the mode and token match, 403 otherwise.
func hubVerifier(token string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == http.MethodGet {
			if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != token {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			_, _ = w.Write([]byte(q.Get("hub.challenge")))
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

func register(t *testing.T, base, callback, token string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"callback_url": callback, "verify_token": token})
	return call(t, "POST", base+"/_sim/webhook", nil, string(body))
}

func TestCloudAPIVerificationHandshake(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request)
		ok     bool
		reason string
	}{
		{"echoes the challenge", hubVerifier("vt-1"), true, ""},
		{"wrong echo", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hello")) }, false,
			"Response does not match challenge"},
		{"challenge with a newline", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(r.URL.Query().Get("hub.challenge") + "\n"))
		}, false, "Response does not match challenge"},
		{"refuses the token", hubVerifier("another"), false, "HTTP Status Code = 403"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, base := newCloudAPI(t)
			rc := newReceiver(t, tc.answer)
			status, raw := register(t, base, rc.URL+"/webhooks/providers/3?x=1", "vt-1")
			got := rc.requests()
			if len(got) != 1 || got[0].Method != "GET" || got[0].Path != "/webhooks/providers/3" {
				t.Fatalf("receiver got %+v", got)
			}
			q, _ := url.ParseQuery(got[0].Query)
			if q.Get("x") != "1" || q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != "vt-1" || q.Get("hub.challenge") == "" {
				t.Errorf("verification query = %s", got[0].Query)
			}
			v := a.Verifications()
			if len(v) != 1 || v[0].OK != tc.ok || v[0].Challenge != q.Get("hub.challenge") || !strings.Contains(v[0].Err, tc.reason) {
				t.Errorf("Verifications() = %+v", v)
			}
			cb, token, registered := a.Callback()
			if tc.ok {
				if status != 200 || string(raw) != `{"success":true}` || !registered || token != "vt-1" || !strings.HasPrefix(cb, rc.URL) {
					t.Errorf("register = %d %s; callback %q %q %v", status, raw, cb, token, registered)
				}
				return
			}
			if status != 400 || registered {
				t.Errorf("failed verification = %d %s, registered %v", status, raw, registered)
			}
			sameError(t, raw, map[string]any{"message": "(#2200) callback verification failed: " + v[0].Err,
				"type": "OAuthException", "code": float64(2200)})
		})
	}
}

// checkSigned verifies a delivery's signature the way the hub must: HMAC
// over the raw bytes with the app secret.
func checkSigned(t *testing.T, secret string, r received) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(r.Body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := r.Header.Get("X-Hub-Signature-256"); !hmac.Equal([]byte(got), []byte(want)) {
		t.Errorf("X-Hub-Signature-256 = %q, want %q", got, want)
	}
	if !strings.HasPrefix(r.Header.Get("X-Hub-Signature"), "sha1=") || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", r.Header)
	}
}

func TestCloudAPISignedEvents(t *testing.T) {
	t.Parallel()
	a, base := newCloudAPI(t)
	if status, _ := call(t, "POST", base+"/_sim/messages", nil, `{"from":"2349135403118","text":"Hi"}`); status != http.StatusConflict {
		t.Errorf("message before registering = %d, want 409", status)
	}
	rc := newReceiver(t, hubVerifier("vt"))
	if status, raw := register(t, base, rc.URL+"/hook", "vt"); status != 200 {
		t.Fatalf("register = %d %s", status, raw)
	}
	text := "a/b é 😀 <ok>"
	status, raw := call(t, "POST", base+"/_sim/messages", nil, `{"from":"2349135403118","text":"`+text+`","name":"Worldest"}`)
	if status != http.StatusCreated {
		t.Fatalf("message = %d %s", status, raw)
	}
	msgID := decode(t, raw)["message_id"].(string)
	for _, st := range []string{"sent", "delivered", "read", "failed"} {
		if status, raw = call(t, "POST", base+"/_sim/statuses", nil, `{"message_id":"`+msgID+`","status":"`+st+`"}`); status != http.StatusCreated {
			t.Fatalf("status %s = %d %s", st, status, raw)
		}
	}
	if status, _ = call(t, "POST", base+"/_sim/statuses", nil, `{"message_id":"x","status":"seen"}`); status != 400 {
		t.Errorf("unknown status = %d", status)
	}
	flush(t, a)
	got := rc.requests()[1:] // after the verification GET
	if len(got) != 5 {
		t.Fatalf("got %d posts, want 5", len(got))
	}
	for _, r := range got {
		checkSigned(t, a.AppSecret(), r)
	}

	inbound := got[0].Body
	if !strings.Contains(string(inbound), `a\/b \u00e9 \ud83d\ude00 <ok>`) {
		t.Errorf("body not escaped like Meta's: %s", inbound)
	}
	if paths, want := bodyPaths(t, inbound), fixturePaths(t, "meta-cloud-messages-text.json"); !slices.Equal(paths, want) {
		t.Errorf("messages keys = %v\nfixture keys  = %v", paths, want)
	}
	n := decode(t, inbound)
	entry := n["entry"].([]any)[0].(map[string]any)
	v := entry["changes"].([]any)[0].(map[string]any)["value"].(map[string]any)
	m := v["messages"].([]any)[0].(map[string]any)
	p, _ := a.PhoneNumber(a.PhoneNumberID())
	if n["object"] != "whatsapp_business_account" || entry["id"] != a.WABAID() || dig(v, "metadata", "phone_number_id") != a.PhoneNumberID() ||
		dig(v, "metadata", "display_phone_number") != p.DisplayPhoneNumber || dig(m, "text", "body") != text || m["id"] != msgID ||
		v["contacts"].([]any)[0].(map[string]any)["wa_id"] != "2349135403118" || m["timestamp"] != "1763760303" {
		t.Errorf("notification = %s", inbound)
	}

	delivered := got[2].Body
	if paths, want := bodyPaths(t, delivered), fixturePaths(t, "meta-cloud-statuses-delivered.json"); !slices.Equal(paths, want) {
		t.Errorf("statuses keys = %v\nfixture keys  = %v", paths, want)
	}
	var statuses []metaStatus
	for _, r := range got[1:] {
		var sn metaNotification
		_ = json.Unmarshal(r.Body, &sn)
		statuses = append(statuses, sn.Entry[0].Changes[0].Value.Statuses[0])
	}
	if s := statuses[1]; s.Status != "delivered" || s.RecipientID != "2349135403118" || s.ID != msgID || s.Pricing == nil {
		t.Errorf("delivered = %+v", s)
	}
	if s := statuses[2]; s.Conversation != nil || s.Pricing != nil {
		t.Errorf("read carries conversation/pricing: %+v", s)
	}
	if s := statuses[3]; len(s.Errors) != 1 || s.Errors[0].Code != 131026 {
		t.Errorf("failed = %+v", s)
	}
	if d := a.Deliveries(); len(d) != 5 || d[0].Event != "messages" || d[1].Event != "statuses" || !d[4].Done || d[4].StatusCode != 200 {
		t.Errorf("Deliveries() = %+v", d)
	}
}
