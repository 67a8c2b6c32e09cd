package providersim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func benchSink(b *testing.B) string {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	b.Cleanup(sink.Close)
	return sink.URL
}

// benchPost sends b.N POSTs from 8 goroutines over HTTP, path and body
// chosen by the request number, and reports requests/s including the
// webhooks they cause being delivered.
func benchPost(b *testing.B, base string, hdr map[string]string, flush func(context.Context) error, req func(i int64) (string, []byte), want int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			path, body := req(n.Add(1))
			r, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			for k, v := range hdr {
				r.Header.Set(k, v)
			}
			resp, err := client.Do(r)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkEvolutionSendText is the gateway's outbound path: sendText to
// 50 chats, each answered 201 and followed by send.message and
// messages.update to the webhook.
// Run: go test -run X -bench Evolution -benchtime 20000x ./internal/provider/providersim
func BenchmarkEvolutionSendText(b *testing.B) {
	e := NewEvolution(Options{})
	srv := httptest.NewServer(e.Handler())
	b.Cleanup(func() { e.Close(); srv.Close() })
	e.SetBaseURL(srv.URL)
	sink := benchSink(b)
	key := map[string]string{"apikey": e.APIKey()}
	call := func(path, body string) {
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("apikey", e.APIKey())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	call("/instance/create", `{"instanceName":"n1","qrcode":true,"webhook":{"url":"`+sink+`","events":[]}}`)
	call("/_sim/instances/n1/scan", "")
	benchPost(b, srv.URL, key, e.Flush, func(i int64) (string, []byte) {
		return "/message/sendText/n1", []byte(`{"number":"55119` + strconv.Itoa(80000000+int(i%50)) + `","text":"mensagem ` + strconv.FormatInt(i, 10) + `"}`)
	}, http.StatusCreated)
}

// BenchmarkEvolutionInbound is the inbound path: customers of 50 chats
// writing, each message posted to the webhook as messages.upsert.
func BenchmarkEvolutionInbound(b *testing.B) {
	e := NewEvolution(Options{})
	srv := httptest.NewServer(e.Handler())
	b.Cleanup(func() { e.Close(); srv.Close() })
	sink := benchSink(b)
	req, _ := http.NewRequest("POST", srv.URL+"/instance/create", bytes.NewReader([]byte(`{"instanceName":"n1","qrcode":true,"webhook":{"url":"`+sink+`","events":[]}}`)))
	req.Header.Set("apikey", e.APIKey())
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	resp, _ = http.Post(srv.URL+"/_sim/instances/n1/scan", "application/json", nil)
	resp.Body.Close()
	benchPost(b, srv.URL, nil, e.Flush, func(i int64) (string, []byte) {
		return "/_sim/instances/n1/messages", []byte(`{"from":"55119` + strconv.Itoa(80000000+int(i%50)) + `","text":"oi ` + strconv.FormatInt(i, 10) + `"}`)
	}, http.StatusCreated)
}

// BenchmarkCloudAPISend is the Cloud API's outbound path: sends inside the
// 24-hour window, each followed by a signed "sent" status.
func BenchmarkCloudAPISend(b *testing.B) {
	a := NewCloudAPI(Options{})
	srv := httptest.NewServer(a.Handler())
	b.Cleanup(func() { a.Close(); srv.Close() })
	a.SetBaseURL(srv.URL)
	verifier := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(r.URL.Query().Get("hub.challenge")))
		}
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(verifier.Close)
	resp, err := http.Post(srv.URL+"/_sim/webhook", "application/json", bytes.NewReader([]byte(`{"callback_url":"`+verifier.URL+`","verify_token":"t"}`)))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for i := 0; i < 50; i++ {
		a.OpenWindow(a.PhoneNumberID(), "55119"+strconv.Itoa(80000000+i), time.Now())
	}
	benchPost(b, srv.URL, map[string]string{"Authorization": "Bearer " + a.AccessToken()}, a.Flush, func(i int64) (string, []byte) {
		return "/v21.0/" + a.PhoneNumberID() + "/messages", []byte(`{"messaging_product":"whatsapp","to":"55119` + strconv.Itoa(80000000+int(i%50)) +
			`","type":"text","text":{"body":"oi"}}`)
	}, http.StatusOK)
}
