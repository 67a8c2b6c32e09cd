package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/sync/errgroup"
)

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// report is what the client measured.
type report struct {
	Dialect       string        `json:"dialect"`
	Users         int           `json:"users"`
	Rooms         int           `json:"rooms"`
	Sockets       int           `json:"sockets"`
	Sent          int           `json:"sent"`
	SendErrors    int           `json:"send_errors"`
	Expected      int           `json:"expected_deliveries"`
	Delivered     int           `json:"delivered"`
	Duplicates    int           `json:"duplicates"`
	Rate          float64       `json:"rate"`
	Duration      time.Duration `json:"duration"`
	P50, P90, P99 time.Duration
	Max           time.Duration
	SendP99       time.Duration
}

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "chat delivery on %s: %d users connected in %d rooms, %d messages at %.0f/s over %s\n",
		r.Dialect, r.Sockets, r.Rooms, r.Sent, r.Rate, r.Duration)
	fmt.Fprintf(w, "  deliveries %d of %d expected (%d duplicates), send errors %d\n", r.Delivered, r.Expected, r.Duplicates, r.SendErrors)
	fmt.Fprintf(w, "  send → every member's socket: p50 %s  p90 %s  p99 %s  max %s   (POST answered p99 %s)\n",
		ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), ms(r.SendP99))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

type delivery struct {
	echo string
	at   time.Time
}

func runClient(args []string) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	planPath := fs.String("plan", "", "plan file")
	rate := fs.Float64("rate", 50, "messages per second")
	duration := fs.Duration("duration", 30*time.Second, "sending time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raiseFiles()
	raw, err := os.ReadFile(*planPath)
	if err != nil {
		return err
	}
	var p loadPlan
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration+5*time.Minute)
	defer cancel()
	api := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

	// Every user connects and subscribes; each socket logs what arrives.
	received := make([][]delivery, len(p.Users))
	var subscribed atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	socks := make([]*websocket.Conn, len(p.Users))
	for i, u := range p.Users {
		g.Go(func() error {
			ws, err := dialUser(gctx, api, p, u, i)
			if err != nil {
				return fmt.Errorf("user %d: %w", i, err)
			}
			socks[i] = ws
			subscribed.Add(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d sockets subscribed\n", subscribed.Load())
	var mu sync.Mutex
	readers := sync.WaitGroup{}
	rctx, stopReading := context.WithCancel(ctx)
	for i, ws := range socks {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				_, raw, err := ws.Read(rctx)
				if err != nil {
					return
				}
				now := time.Now()
				if !bytes.Contains(raw, []byte(`"chat.message.created"`)) {
					continue
				}
				var ev struct {
					Data struct {
						Message struct {
							EchoID *string `json:"echo_id"`
						} `json:"message"`
					} `json:"data"`
				}
				if json.Unmarshal(raw, &ev) == nil && ev.Data.Message.EchoID != nil {
					mu.Lock()
					received[i] = append(received[i], delivery{*ev.Data.Message.EchoID, now})
					mu.Unlock()
				}
			}
		}()
	}

	// Send at a steady rate from random members of random rooms.
	type sent struct {
		room int
		at   time.Time
		took time.Duration
		err  bool
	}
	total := int(*rate * duration.Seconds())
	sends := make([]sent, total)
	interval := time.Duration(float64(time.Second) / *rate)
	start := time.Now()
	var wg sync.WaitGroup
	for n := range total {
		time.Sleep(time.Until(start.Add(time.Duration(n) * interval)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.IntN(len(p.Rooms))
			room := p.Rooms[r]
			u := p.Users[room.Members[rand.IntN(len(room.Members))]]
			body, _ := json.Marshal(map[string]any{"content": fmt.Sprintf("load message %d", n), "echo_id": fmt.Sprintf("load-%d", n)})
			req, _ := http.NewRequestWithContext(ctx, "POST", p.URL+"/api/v1/accounts/"+p.AccountID+"/chat/rooms/"+room.ID+"/messages",
				bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+u.Token)
			t0 := time.Now()
			res, err := api.Do(req)
			s := sent{room: r, at: t0, took: time.Since(t0)}
			if err != nil {
				s.err = true
			} else {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				s.err = res.StatusCode != http.StatusCreated
			}
			sends[n] = s
		}()
	}
	wg.Wait()
	// Wait for the last deliveries: until nothing new arrives for 3 s (or
	// everything expected did).
	expected := 0
	for _, s := range sends {
		if !s.err {
			expected += len(p.Rooms[s.room].Members)
		}
	}
	last, lastCount := time.Now(), -1
	for time.Since(last) < 3*time.Second {
		mu.Lock()
		n := 0
		for _, r := range received {
			n += len(r)
		}
		mu.Unlock()
		if n >= expected {
			break
		}
		if n != lastCount {
			last, lastCount = time.Now(), n
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopReading()
	for _, ws := range socks {
		ws.CloseNow()
	}
	readers.Wait()

	rep := report{Sockets: int(subscribed.Load()), Sent: total, Expected: expected, Rate: *rate, Duration: *duration}
	var lat, took []time.Duration
	for i, list := range received {
		seen := map[string]bool{}
		for _, d := range list {
			if seen[d.echo] {
				rep.Duplicates++
				continue
			}
			seen[d.echo] = true
			var n int
			if _, err := fmt.Sscanf(d.echo, "load-%d", &n); err != nil || n < 0 || n >= total {
				continue
			}
			s := sends[n]
			if s.err || !slices.Contains(p.Rooms[s.room].Members, i) {
				continue
			}
			lat = append(lat, d.at.Sub(s.at))
		}
	}
	for _, s := range sends {
		if s.err {
			rep.SendErrors++
		} else {
			took = append(took, s.took)
		}
	}
	rep.Delivered = len(lat)
	slices.Sort(lat)
	slices.Sort(took)
	rep.P50, rep.P90, rep.P99, rep.Max = pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100)
	rep.SendP99 = pct(took, 99)
	return json.NewEncoder(os.Stdout).Encode(rep)
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// dialUser mints a ticket and opens the user's socket from its own
// loopback address (127.0.0.2–127.0.0.201): the upgrade route limits
// each address, as it would limit each browser.
func dialUser(ctx context.Context, api *http.Client, p loadPlan, u loadUser, i int) (*websocket.Conn, error) {
	body, _ := json.Marshal(map[string]string{"account_id": p.AccountID})
	req, _ := http.NewRequestWithContext(ctx, "POST", p.URL+"/api/v1/realtime/tickets", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+u.Token)
	res, err := api.Do(req)
	if err != nil {
		return nil, err
	}
	var tk struct {
		Ticket string `json:"ticket"`
	}
	err = json.NewDecoder(res.Body).Decode(&tk)
	res.Body.Close()
	if err != nil || tk.Ticket == "" {
		return nil, errors.New("no ticket")
	}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%200))}
	dialer := &net.Dialer{LocalAddr: local, Timeout: 10 * time.Second}
	hc := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	ws, _, err := websocket.Dial(ctx, strings.Replace(p.URL, "http", "ws", 1)+"/api/v1/realtime?ticket="+tk.Ticket,
		&websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "topics": []string{"chat"}})
	if err := ws.Write(ctx, websocket.MessageText, sub); err != nil {
		return nil, err
	}
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(raw, []byte(`"type":"subscribed"`)) {
			return ws, nil
		}
		if bytes.Contains(raw, []byte(`"type":"error"`)) {
			return nil, fmt.Errorf("subscribe: %s", raw)
		}
	}
}
