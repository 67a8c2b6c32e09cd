package cwsim

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

// BenchmarkIncomingMessages is the gateway's inbound path through the
// simulator: POST …/messages (incoming, with source_id) over HTTP on 50
// conversations, each message's webhooks delivered to a local receiver
// that answers at once. Run: go test -bench IncomingMessages -benchtime 20000x ./internal/chatwoot/cwsim
func BenchmarkIncomingMessages(b *testing.B) {
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer sink.Close()
	s := New(DefaultSeed(), Options{FrontendURL: "http://chatwoot.test"})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ib, _ := s.AddInbox(1, InboxSpec{Name: "WA", WebhookURL: sink.URL + "/inbox"})
	s.AddWebhook(1, sink.URL+"/account", "message_created", "message_updated", "conversation_updated")
	var convs []int
	for i := 0; i < 50; i++ {
		src := "55319999" + strconv.Itoa(10000+i)
		ct, _ := s.AddContact(1, ContactSpec{Name: "C" + strconv.Itoa(i), InboxID: ib.ID, SourceID: src})
		cv, _ := s.AddConversation(1, ConversationSpec{InboxID: ib.ID, ContactID: ct.ID, SourceID: src})
		convs = append(convs, cv.DisplayID)
	}
	token := userOf(s, adminAcme).APIAccessToken
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := []byte(`{"content":"mensagem ` + strconv.FormatInt(i, 10) + `","message_type":"incoming","source_id":"wamid.` + strconv.FormatInt(i, 10) + `"}`)
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/accounts/1/conversations/"+strconv.Itoa(convs[int(i)%len(convs)])+"/messages", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("api_access_token", token)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
