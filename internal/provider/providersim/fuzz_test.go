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
