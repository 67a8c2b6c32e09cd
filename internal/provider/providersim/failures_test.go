package providersim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFailNext(t *testing.T) {
	t.Parallel()
	e, ebase := newEvolution(t)
	a, abase := newCloudAPI(t)
	createInstance(t, ebase, e.APIKey(), `{"instanceName":"n1"}`)
	ekey := map[string]string{"apikey": e.APIKey()}
	akey := bearer(a.AccessToken())
	phone := abase + "/v21.0/" + a.PhoneNumberID()

	e.FailNext("/instance/connectionState/", http.StatusUnauthorized)
	e.FailNext("/instance/", http.StatusBadGateway)
	a.FailNext("/v21.0/", http.StatusUnauthorized)
	a.FailNext("/v21.0/", http.StatusServiceUnavailable)
	a.FailNext("/v21.0/", http.StatusTooManyRequests)
	cases := []struct {
		name, url string
		hdr       map[string]string
		status    int
		want      string
	}{
		{"evolution 401", ebase + "/instance/connectionState/n1", ekey, 401, evoUnauthorized},
		{"evolution 502", ebase + "/instance/connectionState/n1", ekey, 502,
			`{"status":502,"error":"Bad Gateway","response":{"message":"Bad Gateway"}}`},
		{"evolution recovers", ebase + "/instance/connectionState/n1", ekey, 200, `{"instance":{"instanceName":"n1","state":"close"}}`},
		{"graph 401", phone, akey, 401, `"code":190`},
		{"graph 503", phone, akey, 503, `"is_transient":true`},
		{"graph 429", phone, akey, 429, `(#4) Application request limit reached`},
		{"graph recovers", phone, akey, 200, `"id":"` + a.PhoneNumberID() + `"`},
	}
	for _, tc := range cases { // in order: each knob fires once
		status, raw := call(t, "GET", tc.url, tc.hdr, "")
		if status != tc.status || !strings.Contains(string(raw), tc.want) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, status, raw, tc.status, tc.want)
		}
	}

	e.Fail(Failure{Method: "POST", PathPrefix: "/instance/", Status: 500, Body: `<html>nginx</html>`, Times: -1})
	if status, _ := call(t, "GET", ebase+"/instance/connectionState/n1", ekey, ""); status != 200 {
		t.Errorf("method filter ignored: GET = %d", status)
	}
	for range 2 {
		if status, raw := call(t, "POST", ebase+"/instance/create", ekey, `{"instanceName":"x"}`); status != 500 || string(raw) != "<html>nginx</html>" {
			t.Errorf("persistent failure = %d %s", status, raw)
		}
	}
	e.ClearFailures()
	if status, _ := call(t, "POST", ebase+"/instance/create", ekey, `{"instanceName":"x"}`); status != 201 {
		t.Errorf("after ClearFailures = %d", status)
	}
	if n := len(e.Requests()); n < 6 {
		t.Errorf("Requests() recorded %d requests", n)
	}
}

func TestHangNextTimesOutTheClient(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	a, abase := newCloudAPI(t)
	e.HangNext("/instance/fetchInstances")
	a.HangNext("/v21.0/")
	client := &http.Client{Timeout: 200 * time.Millisecond}
	for _, u := range []string{base + "/instance/fetchInstances", abase + "/v21.0/" + a.PhoneNumberID()} {
		start := time.Now()
		resp, err := client.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s answered %d, want a client timeout", u, resp.StatusCode)
		}
		var netErr interface{ Timeout() bool }
		if !errors.As(err, &netErr) || !netErr.Timeout() || time.Since(start) > 5*time.Second {
			t.Errorf("%s: %v", u, err)
		}
	}
	// The knob fired once: the next request answers.
	if status, _ := call(t, "GET", base+"/instance/fetchInstances", map[string]string{"apikey": e.APIKey()}, ""); status != 200 {
		t.Errorf("after the hang = %d", status)
	}

	// Close releases a hung request with 503 instead of leaving it blocked.
	e.HangNext("/instance/fetchInstances")
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", base+"/instance/fetchInstances", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	e.Close()
	select {
	case status := <-done:
		if status != http.StatusServiceUnavailable {
			t.Errorf("hung request after Close = %d, want 503", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not release the hung request")
	}
}

func TestWebhookDeliveryFailuresAreRecorded(t *testing.T) {
	t.Parallel()
	e := NewEvolution(Options{Now: clock, WebhookTimeout: 200 * time.Millisecond, WebhookAttempts: 1})
	srv := newTestServer(t, e.Handler())
	e.SetBaseURL(srv)
	hung := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	failing := newReceiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	createInstance(t, srv, e.APIKey(), `{"instanceName":"slow","qrcode":true,"webhook":{"url":"`+hung.URL+`","events":["CONNECTION_UPDATE"]}}`)
	createInstance(t, srv, e.APIKey(), `{"instanceName":"down","qrcode":true,"webhook":{"url":"`+failing.URL+`","events":["CONNECTION_UPDATE"]}}`)
	flush(t, e)
	d := e.Deliveries()
	if len(d) != 2 || !strings.Contains(d[0].Err, "timeout") || d[1].StatusCode != 500 || d[1].Err != "500 Internal Server Error" {
		t.Errorf("deliveries = %+v", d)
	}
}
