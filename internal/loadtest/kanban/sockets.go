package kanban

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Socket is one realtime client.
type Socket struct {
	WS *websocket.Conn
}

// Open mints a ticket, dials and subscribes to the board.
func Open(ctx context.Context, c *Client, a *Account) (*Socket, error) {
	var tk struct {
		Ticket string `json:"ticket"`
	}
	if _, err := c.Call(ctx, a.Token, "POST", "/api/v1/realtime/tickets", map[string]string{"account_id": a.ID}, &tk); err != nil {
		return nil, err
	}
	ws, _, err := websocket.Dial(ctx, strings.Replace(c.BaseURL, "http", "ws", 1)+"/api/v1/realtime?ticket="+tk.Ticket, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	sub, _ := json.Marshal(map[string]any{"type": "subscribe", "topics": []string{"board:" + a.BoardID}})
	if err := ws.Write(ctx, websocket.MessageText, sub); err != nil {
		return nil, err
	}
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		var m struct{ Type string }
		_ = json.Unmarshal(raw, &m)
		if m.Type == "subscribed" {
			return &Socket{WS: ws}, nil
		}
		if m.Type == "error" {
			return nil, fmt.Errorf("subscribe: %s", raw)
		}
	}
}

// OpenMany opens n sockets with a few dialers at a time.
func OpenMany(ctx context.Context, c *Client, a *Account, n int) ([]*Socket, error) {
	out := make([]*Socket, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := Open(ctx, c, a)
			if err != nil {
				errs <- err
				return
			}
			out[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		CloseAll(out)
		return nil, err
	}
	return out, nil
}

// CloseAll closes sockets.
func CloseAll(list []*Socket) {
	for _, s := range list {
		if s != nil {
			s.WS.CloseNow()
		}
	}
}

// Delivery moves a card moves times and measures, on every socket, the
// time from the move's request to the socket reading its card.moved, and
// from the move's answer (the commit) to it (0 when it came first).
func Delivery(ctx context.Context, c *Client, a *Account, socks []*Socket, moves int) (Result, Result, error) {
	type got struct {
		seq int64
		at  time.Time
	}
	arrivals := make([][]got, len(socks))
	var wg sync.WaitGroup
	for i, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for len(arrivals[i]) < moves {
				rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
				_, raw, err := s.WS.Read(rctx)
				cancel()
				if err != nil {
					return
				}
				at := time.Now()
				var m struct {
					Type  string `json:"type"`
					Event string `json:"event"`
					Seq   int64  `json:"seq"`
				}
				if json.Unmarshal(raw, &m) == nil && m.Type == "event" && m.Event == "card.moved" {
					arrivals[i] = append(arrivals[i], got{m.Seq, at})
				}
			}
		}()
	}
	cd := a.Cards[0]
	sent, answered := map[int64]time.Time{}, map[int64]time.Time{}
	start := time.Now()
	for range moves {
		to := (cd.Stage + 1) % len(a.Stages)
		t0 := time.Now()
		var out struct {
			Version int64 `json:"version"`
		}
		if _, err := c.Call(ctx, a.Token, "POST", "/api/v1/accounts/"+a.ID+"/boards/"+a.BoardID+"/cards/"+cd.ID+"/move",
			map[string]any{"stage_id": a.Stages[to], "version": cd.Version}, &out); err != nil {
			return Result{}, Result{}, err
		}
		t1 := time.Now()
		cd.Version, cd.Stage = out.Version, to
		seq, err := headSeq(ctx, c, a)
		if err != nil {
			return Result{}, Result{}, err
		}
		sent[seq], answered[seq] = t0, t1
		time.Sleep(100 * time.Millisecond) // spaced moves: delivery latency, not a burst's queueing
	}
	wg.Wait()
	var lat, after []time.Duration
	missing := 0
	for _, list := range arrivals {
		missing += moves - len(list)
		for _, g := range list {
			if t0, ok := sent[g.seq]; ok {
				lat = append(lat, g.at.Sub(t0))
				after = append(after, max(0, g.at.Sub(answered[g.seq])))
			}
		}
	}
	wall := time.Since(start)
	return summarize(fmt.Sprintf("delivery to %d sockets, from the request", len(socks)), lat, missing, wall),
		summarize(fmt.Sprintf("delivery to %d sockets, from the answer", len(socks)), after, missing, wall), nil
}

// headSeq reads the account's latest sequence (the move just committed is
// the latest: nothing else writes to this account meanwhile).
func headSeq(ctx context.Context, c *Client, a *Account) (int64, error) {
	var b struct {
		Seq int64 `json:"seq"`
	}
	_, err := c.Call(ctx, a.Token, "GET", "/api/v1/accounts/"+a.ID+"/boards/"+a.BoardID, nil, &b)
	return b.Seq, err
}
