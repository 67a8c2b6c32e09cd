package kanban

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Account is one tenant the load drives: an admin token, its board and
// the cards each client may move (clients never share a card, so moves
// do not conflict).
type Account struct {
	ID      string
	Token   string
	BoardID string
	Stages  []string
	Cards   []*Card
}

// Card is a card a client moves, with the version it last saw.
type Card struct {
	ID      string
	Version int64
	Stage   int
}

// Client calls one hub.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// NewClient keeps enough idle connections for 64 concurrent callers.
func NewClient(base string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 256
	return &Client{BaseURL: strings.TrimSuffix(base, "/"), HTTP: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// Call performs a JSON request and decodes the answer into out (if any).
func (c *Client) Call(ctx context.Context, token, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, clip(raw))
	}
	if out != nil {
		return res.StatusCode, json.Unmarshal(raw, out)
	}
	return res.StatusCode, nil
}

func clip(b []byte) string {
	if len(b) > 300 {
		b = b[:300]
	}
	return string(b)
}

// Result summarises one scenario.
type Result struct {
	Name     string
	Count    int
	Errors   int
	Wall     time.Duration
	P50, P95 time.Duration
	P99, Max time.Duration
}

// PerSecond is the throughput.
func (r Result) PerSecond() float64 { return float64(r.Count) / r.Wall.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%-44s n=%-6d err=%-3d %8.0f/s  p50 %7.2fms  p95 %7.2fms  p99 %7.2fms  max %7.2fms", r.Name, r.Count, r.Errors,
		r.PerSecond(), ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func summarize(name string, lat []time.Duration, errs int, wall time.Duration) Result {
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	r := Result{Name: name, Count: len(lat), Errors: errs, Wall: wall, P50: pct(0.50), P95: pct(0.95), P99: pct(0.99)}
	if len(lat) > 0 {
		r.Max = lat[len(lat)-1]
	}
	return r
}

// run calls op from clients goroutines for d and times each call.
func run(name string, clients int, d time.Duration, op func(ctx context.Context, client int) error) Result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := op(context.Background(), i); err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return summarize(name, lat, int(errs.Load()), time.Since(start))
}

// FirstLoad opens a board as the web app does on first paint: the first
// page of every column and the totals, in one request.
func FirstLoad(c *Client, a *Account, clients int, d time.Duration) Result {
	path := "/api/v1/accounts/" + a.ID + "/boards/" + a.BoardID + "/cards?limit=50"
	return run(fmt.Sprintf("first load, %d clients", clients), clients, d, func(ctx context.Context, _ int) error {
		_, err := c.Call(ctx, a.Token, "GET", path, nil, nil)
		return err
	})
}

// Moves moves cards to the next open stage; client i works in account
// i % len(accounts) on its own cards.
func Moves(c *Client, name string, accounts []*Account, clients int, d time.Duration) Result {
	type slot struct {
		a     *Account
		cards []*Card
		next  int
	}
	slots := make([]*slot, clients)
	perAcct := map[*Account]int{}
	for i := range clients {
		a := accounts[i%len(accounts)]
		k := perAcct[a]
		perAcct[a]++
		share := clients / len(accounts)
		if clients%len(accounts) > 0 {
			share++
		}
		per := len(a.Cards) / share
		slots[i] = &slot{a: a, cards: a.Cards[k*per : (k+1)*per]}
	}
	return run(name, clients, d, func(ctx context.Context, i int) error {
		s := slots[i]
		cd := s.cards[s.next%len(s.cards)]
		s.next++
		to := (cd.Stage + 1) % len(s.a.Stages)
		var out struct {
			Version int64 `json:"version"`
		}
		_, err := c.Call(ctx, s.a.Token, "POST", "/api/v1/accounts/"+s.a.ID+"/boards/"+s.a.BoardID+"/cards/"+cd.ID+"/move",
			map[string]any{"stage_id": s.a.Stages[to], "version": cd.Version}, &out)
		if err != nil {
			return err
		}
		cd.Version, cd.Stage = out.Version, to
		return nil
	})
}
