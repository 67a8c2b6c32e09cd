package providersim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fakeHub answers outgoing requests without a network: verification GETs
// echo the challenge, webhook POSTs get 200, other hosts fail.
type fakeHub struct{}

func (fakeHub) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "hub.test" {
		return nil, errors.New("unreachable")
	}
	body := "ok"
	if r.Method == http.MethodGet {
		body = r.URL.Query().Get("hub.challenge")
	}
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
}

var fuzzClient = &http.Client{Transport: fakeHub{}}

// serveOnce runs one request through h and checks the simulator never
// fails on input: no 5xx, and always a JSON answer.
func serveOnce(t *testing.T, h http.Handler, method, path string, hdr map[string]string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s %q = %d %s", method, path, body, rec.Code, rec.Body)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s %s %q answered non-JSON %q", method, path, body, rec.Body)
	}
	return rec
}

func FuzzEvolutionBodies(f *testing.F) {
	f.Add(`{"instanceName":"a","qrcode":true,"number":"5511999990001","webhook":{"url":"http://hub.test/h","byEvents":true,"events":["CONNECTION_UPDATE"]}}`,
		`{"webhook":{"enabled":true,"url":"http://hub.test/h?token=x","events":[]}}`, `{"number":"5511"}`, `{"from":"558197088404","text":"oi"}`)
	f.Add(`{"instanceName":"a/b"}`, `{"webhook":{"enabled":"x"}}`, `{"status_reason":"x"}`, `{"from":"x@lid","text":"","from_me":true}`)
	f.Add(`[]`, `null`, `{`, `{"from":1}`)
	f.Fuzz(func(t *testing.T, create, webhook, scan, message string) {
		e := NewEvolution(Options{Now: clock, HTTPClient: fuzzClient})
		e.renderQR = func(string) (string, error) { return "data:image/png;base64,", nil } // real QRs are tested elsewhere
		defer e.Close()
		h, key := e.Handler(), map[string]string{"apikey": e.APIKey()}
		serveOnce(t, h, "POST", "/instance/create", key, []byte(create))
		serveOnce(t, h, "POST", "/instance/create", key, []byte(`{"instanceName":"n","qrcode":true}`))
		serveOnce(t, h, "POST", "/webhook/set/n", key, []byte(webhook))
		serveOnce(t, h, "POST", "/_sim/instances/n/scan", nil, []byte(scan))
		serveOnce(t, h, "POST", "/_sim/instances/n/messages", nil, []byte(message))
		serveOnce(t, h, "POST", "/_sim/instances/n/disconnect", nil, []byte(scan))
		serveOnce(t, h, "GET", "/instance/fetchInstances", key, nil)
	})
}

func FuzzCloudAPIBodies(f *testing.F) {
	f.Add(`{"callback_url":"http://hub.test/w","verify_token":"t"}`, `{"from":"2349135403118","text":"Hi/é"}`,
		`{"message_id":"wamid.HBgNMjM0OTEzNTQwMzExOBUCABIYIDVFNDY5Q0ZGNzY0NTgxQUEwQzYyMjAyOEI2QzE5OEY1AA==","status":"read"}`)
	f.Add(`{"callback_url":"ftp://x"}`, `{"from":"1","text":"x","phone_number_id":"9"}`, `{"message_id":"wamid.AAAA","status":"failed"}`)
	f.Add(`{`, `[]`, `{"message_id":"wamid.HBj/","status":"sent","recipient_id":"x"}`)
	f.Fuzz(func(t *testing.T, register, message, status string) {
		a := NewCloudAPI(Options{Now: clock, HTTPClient: fuzzClient})
		defer a.Close()
		h := a.Handler()
		serveOnce(t, h, "POST", "/_sim/webhook", nil, []byte(register))
		serveOnce(t, h, "POST", "/_sim/webhook", nil, []byte(`{"callback_url":"http://hub.test/w","verify_token":"t"}`))
		serveOnce(t, h, "POST", "/_sim/messages", nil, []byte(message))
		serveOnce(t, h, "POST", "/_sim/statuses", nil, []byte(status))
		for _, d := range a.Deliveries() {
			if !json.Valid(d.Body) {
				t.Fatalf("webhook body is not JSON: %q", d.Body)
			}
		}
	})
}

func FuzzParseFields(f *testing.F) {
	for _, s := range []string{"", "id", "display_phone_number,throughput{level},status", "a{b,c{d}},e", "}},{,", " x , x ,y.z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, name := range parseFields(s) {
			if name == "" || strings.ContainsAny(name, "{.,") || name != strings.TrimSpace(name) || seen[name] {
				t.Fatalf("parseFields(%q) gave %q", s, name)
			}
			seen[name] = true
		}
		// The lookup must answer whatever the fields: 200 or a Graph 400.
		a := NewCloudAPI(Options{Now: clock})
		req := httptest.NewRequest("GET", "/v21.0/"+a.PhoneNumberID(), nil)
		req.URL.RawQuery = "fields=" + url.QueryEscape(s)
		req.Header.Set("Authorization", "Bearer "+a.AccessToken())
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, req)
		if (rec.Code != 200 && rec.Code != 400) || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("fields=%q: %d %s", s, rec.Code, rec.Body)
		}
	})
}

// FuzzEvolutionMessaging feeds the send API, the chat helpers and the
// simulated world bodies of an open instance: never a 5xx, always JSON.
func FuzzEvolutionMessaging(f *testing.F) {
	f.Add(`{"number":"5531987654321","text":"oi","quoted":{"key":{"id":"X"},"message":{"conversation":"q"}}}`,
		`{"number":"5511987654321","mediatype":"image","media":"aGVsbG8=","caption":"c"}`,
		`{"from":"5531987654321","type":"image","media":"aGk=","quoted":"X","lid":"123@lid"}`, `{"id":"X","text":"e"}`)
	f.Add(`{"number":"120363025246125486@g.us","text":"g","delay":-5}`, `{"number":"1","mediatype":"audio","media":"http://hub.test/a.ogg"}`,
		`{"from":"x@lid","type":"reaction","react_to":"Y","text":""}`, `{"id":"","status":"READ"}`)
	f.Add(`{"number":["x"]}`, `{"mediatype":"document","media":"not base64!"}`, `{"group":"g","from":"5511987654321"}`, `[]`)
	f.Fuzz(func(t *testing.T, text, media, inbound, change string) {
		e := NewEvolution(Options{Now: clock, HTTPClient: fuzzClient, MaxDelay: time.Millisecond})
		e.renderQR = func(string) (string, error) { return "data:image/png;base64,", nil }
		defer e.Close()
		h, key := e.Handler(), map[string]string{"apikey": e.APIKey()}
		serveOnce(t, h, "POST", "/instance/create", key, []byte(`{"instanceName":"n","qrcode":true,"webhook":{"url":"http://hub.test/h","base64":true,"events":[]}}`))
		serveOnce(t, h, "POST", "/_sim/instances/n/scan", nil, nil)
		serveOnce(t, h, "POST", "/message/sendText/n", key, []byte(text))
		serveOnce(t, h, "POST", "/message/sendMedia/n", key, []byte(media))
		serveOnce(t, h, "POST", "/message/sendWhatsAppAudio/n", key, []byte(media))
		serveOnce(t, h, "POST", "/message/sendReaction/n", key, []byte(text))
		serveOnce(t, h, "POST", "/message/sendLocation/n", key, []byte(text))
		serveOnce(t, h, "POST", "/message/sendContact/n", key, []byte(text))
		serveOnce(t, h, "POST", "/_sim/instances/n/messages", nil, []byte(inbound))
		serveOnce(t, h, "POST", "/_sim/instances/n/edits", nil, []byte(change))
		serveOnce(t, h, "POST", "/_sim/instances/n/acks", nil, []byte(change))
		serveOnce(t, h, "POST", "/_sim/instances/n/deletes", nil, []byte(change))
		serveOnce(t, h, "POST", "/chat/whatsappNumbers/n", key, []byte(text))
		serveOnce(t, h, "POST", "/chat/markMessageAsRead/n", key, []byte(change))
		serveOnce(t, h, "POST", "/chat/getBase64FromMediaMessage/n", key, []byte(change))
		serveOnce(t, h, "POST", "/chat/updateMessage/n", key, []byte(text))
		serveOnce(t, h, "DELETE", "/chat/deleteMessageForEveryone/n", key, []byte(change))
		serveOnce(t, h, "POST", "/chat/sendPresence/n", key, []byte(`{"number":"5511987654321","presence":"composing"}`))
		serveOnce(t, h, "GET", "/_sim/instances/n/sent", nil, nil)
	})
}

// FuzzCloudAPISends feeds the send endpoint, the media node and the
// simulated world's inbound, batch and echo bodies: never a 5xx, always
// JSON, and every webhook posted is JSON.
func FuzzCloudAPISends(f *testing.F) {
	f.Add(`{"messaging_product":"whatsapp","to":"5531987654321","type":"text","text":{"body":"oi"},"context":{"message_id":"w"}}`,
		`{"from":"5531987654321","type":"image","media":"aGk=","context":"w","referral":true}`,
		`{"messages":[{"from":"5511911110000","text":"a"}],"statuses":[{"message_id":"wamid.x","recipient_id":"1","status":"read"}]}`)
	f.Add(`{"messaging_product":"whatsapp","to":"1","type":"image","image":{"id":"1","link":"x"}}`,
		`{"user_id":"BR.x","type":"interactive","list":true}`, `{"messages":[],"split":"nope"}`)
	f.Add(`{"messaging_product":"whatsapp","status":"read","message_id":"x","typing_indicator":{"type":"text"}}`,
		`{"from":"","type":"reaction"}`, `{"statuses":[{"message_id":"","status":"x"}]}`)
	f.Fuzz(func(t *testing.T, send, inbound, batch string) {
		a := NewCloudAPI(Options{Now: clock, HTTPClient: fuzzClient})
		defer a.Close()
		h := a.Handler()
		auth := map[string]string{"Authorization": "Bearer " + a.AccessToken()}
		serveOnce(t, h, "POST", "/_sim/webhook", nil, []byte(`{"callback_url":"http://hub.test/w","verify_token":"t"}`))
		serveOnce(t, h, "POST", "/v21.0/"+a.PhoneNumberID()+"/messages", auth, []byte(send))
		serveOnce(t, h, "POST", "/_sim/messages", nil, []byte(inbound))
		serveOnce(t, h, "POST", "/_sim/batch", nil, []byte(batch))
		serveOnce(t, h, "POST", "/_sim/echoes", nil, []byte(inbound))
		serveOnce(t, h, "POST", "/v21.0/"+a.PhoneNumberID()+"/media", auth, []byte(send))
		serveOnce(t, h, "GET", "/_sim/sent", nil, nil)
		for _, d := range a.Deliveries() {
			if !json.Valid(d.Body) {
				t.Fatalf("webhook body is not JSON: %q", d.Body)
			}
		}
	})
}
