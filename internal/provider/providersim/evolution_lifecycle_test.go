package providersim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

func newEvolutionWith(t *testing.T, opts Options) (*Evolution, string) {
	t.Helper()
	opts.Now = clock
	if opts.WebhookTimeout == 0 {
		opts.WebhookTimeout = 5 * time.Second
	}
	e := NewEvolution(opts)
	srv := httptest.NewServer(e.Handler())
	e.SetBaseURL(srv.URL)
	t.Cleanup(func() { e.Close(); srv.Close() })
	return e, srv.URL
}

// A5: create with a QR blocks (without holding up other requests), the
// answer may come before the QR, and the QR then arrives by event.
func TestEvolutionCreateBlocksAndQRComesLater(t *testing.T) {
	t.Parallel()
	e, base := newEvolutionWith(t, Options{CreateDelay: time.Hour, FirstQRDelay: -1})
	key := map[string]string{"apikey": e.APIKey()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/instance/create", strings.NewReader(`{"instanceName":"n1","qrcode":true}`))
		req.Header.Set("apikey", e.APIKey())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			done <- resp.StatusCode
			return
		}
		done <- 0
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, raw := call(t, "GET", base+"/instance/connectionState/n1", key, "")
		if status == 200 && strings.Contains(string(raw), `"state":"connecting"`) {
			break // the socket started while create is still waiting
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance never started connecting: %d %s", status, raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case code := <-done:
		t.Fatalf("create answered %d before its delay", code)
	default:
	}
	cancel()
	<-done

	// No QR yet: connect answers {count:0}; the QR shows up by event.
	e2, base2 := newEvolutionWith(t, Options{FirstQRDelay: -1})
	rc := newReceiver(t, nil)
	out := createInstance(t, base2, e2.APIKey(), `{"instanceName":"n2","qrcode":true,"webhook":{"url":"`+rc.URL+`","events":[]}}`)
	if qr := out["qrcode"].(map[string]any); len(qr) != 1 || qr["count"] != float64(0) {
		t.Errorf("create's qrcode = %v, want {count:0}", qr)
	}
	key2 := map[string]string{"apikey": e2.APIKey()}
	if _, raw := call(t, "GET", base2+"/instance/connect/n2", key2, ""); string(raw) != `{"count":0}` {
		t.Errorf("connect before the QR = %s", raw)
	}
	if status, _ := call(t, "POST", base2+"/_sim/instances/n2/scan", nil, ""); status != http.StatusConflict {
		t.Errorf("scanning with no QR shown = %d, want 409", status)
	}
	call(t, "POST", base2+"/_sim/instances/n2/qr", nil, "")
	flush(t, e2)
	if got := events(t, rc.requests()); !slices.Equal(got, []string{"instance.create", "connection.update:connecting", "qrcode.updated"}) {
		t.Errorf("events = %v", got)
	}
	if _, raw := call(t, "GET", base2+"/instance/connect/n2", key2, ""); !strings.Contains(string(raw), `"base64":"data:image/png;base64,`) {
		t.Errorf("connect after the QR = %s", raw)
	}
}

func TestEvolutionConnectErrorIsHTTP200(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	createInstance(t, base, e.APIKey(), `{"instanceName":"n1"}`)
	if err := e.FailNextConnect("n1", "Connection Closed"); err != nil {
		t.Fatal(err)
	}
	key := map[string]string{"apikey": e.APIKey()}
	if status, raw := call(t, "GET", base+"/instance/connect/n1", key, ""); status != 200 || string(raw) != `{"error":true,"message":"Connection Closed"}` {
		t.Errorf("failing connect = %d %s", status, raw)
	}
	call(t, "POST", base+"/_sim/instances/n1/connect-error", nil, `{"message":"boom"}`)
	if _, raw := call(t, "GET", base+"/instance/connect/n1", key, ""); string(raw) != `{"error":true,"message":"boom"}` {
		t.Errorf("connect after /_sim/…/connect-error = %s", raw)
	}
	if status, raw := call(t, "GET", base+"/instance/connect/n1", key, ""); status != 200 || !strings.Contains(string(raw), `"count":1`) {
		t.Errorf("the knob fails one connect only: %s", raw)
	}
}

// A15: the QR after QRCODE_LIMIT ends the attempt.
func TestEvolutionQRLimitRefuses(t *testing.T) {
	t.Parallel()
	e, base := newEvolutionWith(t, Options{QRCodeLimit: 2})
	rc := newReceiver(t, nil)
	createInstance(t, base, e.APIKey(), `{"instanceName":"n1","qrcode":true,"webhook":{"url":"`+rc.URL+`","events":["QRCODE_UPDATED","CONNECTION_UPDATE"]}}`)
	call(t, "POST", base+"/_sim/instances/n1/qr", nil, "")
	if status, raw := call(t, "POST", base+"/_sim/instances/n1/qr", nil, ""); status != 200 || !strings.Contains(string(raw), `"state":"close"`) {
		t.Errorf("QR past the limit = %d %s", status, raw)
	}
	flush(t, e)
	got := rc.requests()
	if ev := events(t, got); !slices.Equal(ev, []string{"connection.update:connecting", "qrcode.updated", "qrcode.updated", "qrcode.updated", "connection.update:refused"}) {
		t.Fatalf("events = %v", ev)
	}
	limit := decode(t, got[3].Body)["data"].(map[string]any)
	if limit["message"] != "QR code limit reached, please login again" || limit["statusCode"] != float64(500) || limit["qrcode"] != nil {
		t.Errorf("limit qrcode.updated data = %v", limit)
	}
	refused := decode(t, got[4].Body)["data"].(map[string]any)
	if refused["statusReason"] != float64(428) {
		t.Errorf("refused = %v", refused)
	}
	if st, _ := e.State("n1"); st != StateClose {
		t.Errorf("state after refused = %s", st)
	}
}

// A14: only 401/402/403/406 close a session; other codes reconnect.
func TestEvolutionReconnectableCodes(t *testing.T) {
	t.Parallel()
	e, base := newEvolution(t)
	rc := newReceiver(t, nil)
	openInstance(t, e, base, "n1", rc.URL)
	flush(t, e)
	before := len(rc.requests())
	for _, code := range []int{408, 428, 440, 500, 515} {
		if status, raw := call(t, "POST", base+"/_sim/instances/n1/disconnect", nil, `{"status_reason":`+itoa(code)+`}`); status != 200 {
			t.Fatalf("disconnect %d = %d %s", code, status, raw)
		}
	}
	flush(t, e)
	var got []string
	for _, r := range rc.requests()[before:] {
		got = append(got, events(t, []received{r})...)
	}
	want := slices.Repeat([]string{"connection.update:connecting", "connection.update:open"}, 5)
	if !slices.Equal(got, want) {
		t.Fatalf("reconnectable codes sent %v, want %v", got, want)
	}
	if st, _ := e.State("n1"); st != StateOpen {
		t.Errorf("state = %s", st)
	}
	call(t, "POST", base+"/_sim/instances/n1/disconnect", nil, `{"status_reason":403}`)
	flush(t, e)
	all := rc.requests()
	if ev := events(t, all[len(all)-2:]); !slices.Equal(ev, []string{"status.instance", "connection.update:close"}) {
		t.Errorf("403 sent %v", ev)
	}
	st := decode(t, all[len(all)-2].Body)["data"].(map[string]any)
	if st["status"] != "closed" || st["disconnectionReasonCode"] != float64(403) {
		t.Errorf("status.instance = %v", st)
	}

	// While Evolution waits to reconnect, connectionState says close and
	// no webhook goes out.
	slow, sbase := newEvolutionWith(t, Options{ReconnectDelay: time.Hour})
	rc2 := newReceiver(t, nil)
	openInstance(t, slow, sbase, "n1", rc2.URL)
	flush(t, slow)
	n := len(rc2.requests())
	call(t, "POST", sbase+"/_sim/instances/n1/disconnect", nil, `{"status_reason":428}`)
	flush(t, slow)
	if _, raw := call(t, "GET", sbase+"/instance/connectionState/n1", map[string]string{"apikey": slow.APIKey()}, ""); !strings.Contains(string(raw), `"state":"close"`) {
		t.Errorf("state while reconnecting = %s", raw)
	}
	if len(rc2.requests()) != n {
		t.Errorf("a reconnectable drop sent %v", events(t, rc2.requests()[n:]))
	}
}

// A13 and A20: date_time follows the server's zone; apikey is the token
// only when exposed.
func TestEvolutionEnvelopeClockAndAPIKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opts     Options
		dateTime string
		exposed  bool
	}{
		{Options{}, "2025-11-21T18:25:03.966Z", false},
		{Options{TimeZone: time.UTC, ExposeAPIKey: true}, "2025-11-21T21:25:03.966Z", true},
		{Options{TimeZone: time.FixedZone("+0530", 5*3600+1800)}, "2025-11-22T02:55:03.966Z", false},
	} {
		e, base := newEvolutionWith(t, tc.opts)
		rc := newReceiver(t, nil)
		out := createInstance(t, base, e.APIKey(), `{"instanceName":"n1","webhook":{"url":"`+rc.URL+`","events":[]}}`)
		flush(t, e)
		env := decode(t, rc.requests()[0].Body)
		wantKey := any(nil)
		if tc.exposed {
			wantKey = out["hash"]
		}
		if env["date_time"] != tc.dateTime || env["apikey"] != wantKey {
			t.Errorf("%+v: date_time %v apikey %v, want %s %v", tc.opts, env["date_time"], env["apikey"], tc.dateTime, wantKey)
		}
	}
}
