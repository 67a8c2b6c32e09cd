package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// The gateway's load measures (README, "Gateway load"): provider webhooks
// acknowledged per second by 32 concurrent senders, and the latency the
// hub adds from a provider webhook to the message in Chatwoot and from an
// agent's reply to the provider's send, at 50 messages/s.
//
//	make load-gateway            # SQLite, and PostgreSQL with WHATPRO_TEST_POSTGRES_URL
//	WHATPRO_LOAD_SETTLE=0 make load-gateway

// stamps records when the simulators saw each message, by its text.
type stamps struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (s *stamps) wrap(match func(r *http.Request, body []byte) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == "POST" {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if key := match(r, body); key != "" {
					s.mu.Lock()
					if _, seen := s.at[key]; !seen {
						s.at[key] = time.Now()
					}
					s.mu.Unlock()
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (s *stamps) get(key string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.at[key]
	return t, ok
}

func textOf(body []byte, field string) string {
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	s, _ := v[field].(string)
	return s
}

func benchEnv() []string {
	settle := os.Getenv("WHATPRO_LOAD_SETTLE")
	if settle == "" {
		settle = "150ms"
	}
	return []string{"WHATPRO_GATEWAY_SETTLE=" + settle, "WHATPRO_RATE_LIMIT_ANON=1000000"}
}

func percentiles(b *testing.B, unit string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), unit+"-p50-ms")
	b.ReportMetric(at(0.95), unit+"-p95-ms")
	b.ReportMetric(at(0.99), unit+"-p99-ms")
}

// BenchmarkGatewayAck posts Evolution messages.upsert webhooks straight
// to the hub from 32 goroutines: acknowledged/s and acknowledgement time.
func BenchmarkGatewayAck(b *testing.B) {
	for _, dialect := range apptest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			br := newBridge(b, dialect, benchEnv()...)
			hook := ""
			for _, d := range br.evo.Deliveries() {
				hook = d.URL
			}
			if hook == "" {
				b.Fatal("no webhook URL seen")
			}
			var n, refused atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetParallelism(32 / max(1, runtimeProcs()))
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					i := n.Add(1)
					body := fmt.Sprintf(`{"event":"messages.upsert","instance":"vendas","data":{"key":{"remoteJid":"55119%08d@s.whatsapp.net","fromMe":false,"id":"BENCH%016d"},"pushName":"Load","status":"DELIVERY_ACK","message":{"conversation":"m%d"},"messageType":"conversation","messageTimestamp":%d},"date_time":"2026-12-01T12:00:00.000Z","sender":"5511999990000@s.whatsapp.net","apikey":null}`,
						70000000+i%50, i, i, time.Now().Unix())
					t0 := time.Now()
					res, err := client.Post(hook, "application/json", strings.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					msg, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						if refused.Add(1) == 1 {
							b.Logf("first refusal: %d %s", res.StatusCode, msg)
						}
						continue
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "acks/s")
			b.ReportMetric(float64(refused.Load()), "refused")
			percentiles(b, "ack", lat)
		})
	}
}

// BenchmarkGatewayLatency sends b.N customer messages and b.N agent
// replies at 50/s and measures the time the hub adds on each way.
func BenchmarkGatewayLatency(b *testing.B) {
	for _, dialect := range apptest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			in := &stamps{at: map[string]time.Time{}}
			out := &stamps{at: map[string]time.Time{}}
			cwWrap := in.wrap(func(r *http.Request, body []byte) string {
				if strings.HasSuffix(r.URL.Path, "/messages") && textOf(body, "message_type") == "incoming" {
					return textOf(body, "content")
				}
				return ""
			})
			evoWrap := out.wrap(func(r *http.Request, body []byte) string {
				if strings.HasPrefix(r.URL.Path, "/message/sendText/") {
					return textOf(body, "text")
				}
				return ""
			})
			br := newBridgeWith(b, dialect, cwWrap, evoWrap, benchEnv()...)
			conv := br.customer(b, "5511987659999")
			rate, _ := strconv.Atoi(os.Getenv("WHATPRO_LOAD_RATE"))
			if rate <= 0 {
				rate = 50
			}
			pace := time.NewTicker(time.Second / time.Duration(rate))
			defer pace.Stop()
			sentAt := map[string]time.Time{}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				<-pace.C
				text := "load-in-" + strconv.Itoa(i)
				sentAt[text] = time.Now()
				br.write(b, map[string]any{"from": fmt.Sprintf("55119%08d", 80000000+i%50), "text": text})
			}
			for i := 0; i < b.N; i++ {
				<-pace.C
				text := "load-out-" + strconv.Itoa(i)
				sentAt[text] = time.Now()
				br.reply(b, conv, map[string]any{"content": text})
			}
			var inLat, outLat []time.Duration
			deadline := time.Now().Add(2 * time.Minute)
			for text, t0 := range sentAt {
				st := in
				if strings.HasPrefix(text, "load-out-") {
					st = out
				}
				var t1 time.Time
				for ok := false; !ok; t1, ok = st.get(text) {
					if time.Now().After(deadline) {
						b.Fatalf("%s never arrived", text)
					}
					time.Sleep(10 * time.Millisecond)
				}
				if st == in {
					inLat = append(inLat, t1.Sub(t0))
				} else {
					outLat = append(outLat, t1.Sub(t0))
				}
			}
			b.StopTimer()
			percentiles(b, "in", inLat)
			percentiles(b, "out", outLat)
		})
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
