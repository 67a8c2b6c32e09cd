package providersim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
)

// Delivery records one webhook POST a simulator sent (or tried to).
type Delivery struct {
	ID       string
	URL      string
	Event    string // Evolution: "connection.update", …; Cloud API: "messages" or "statuses"
	Instance string // Evolution instance name, or Cloud API phone number id
	Body     []byte
	Header   http.Header // as sent

	StatusCode int    // 0 when the request failed
	Err        string // transport error or non-2xx summary
	Done       bool
}

// deliveryLog is a FIFO sent by one worker at a time: the real providers
// post events in the order they happen, and hub tests rely on
// connection.update "open" not overtaking the QR update before it.
type deliveryLog struct {
	mu      sync.Mutex
	list    []*Delivery
	pending []*Delivery
	running bool
	idle    chan struct{} // closed when the worker stops
}

// enqueue queues d and starts the worker if needed.
func (c *core) enqueue(d *Delivery) {
	d.ID = uuidV4()
	dl := &c.deliveries
	dl.mu.Lock()
	defer dl.mu.Unlock()
	dl.list = append(dl.list, d)
	dl.pending = append(dl.pending, d)
	if !dl.running {
		dl.running = true
		dl.idle = make(chan struct{})
		go c.work()
	}
}

func (c *core) work() {
	dl := &c.deliveries
	for {
		dl.mu.Lock()
		if len(dl.pending) == 0 {
			dl.running = false
			close(dl.idle)
			dl.mu.Unlock()
			return
		}
		d := dl.pending[0]
		dl.pending = dl.pending[1:]
		hdr := d.Header.Clone()
		dl.mu.Unlock()
		status, errText := c.post(d.URL, hdr, d.Body)
		dl.mu.Lock()
		d.StatusCode, d.Err, d.Done = status, errText, true
		dl.mu.Unlock()
	}
}

// post sends one webhook once. Both providers retry failures later
// (Evolution with backoff up to 10 times, Meta for days); the simulators
// do not, so a test sees each attempt as one Delivery.
func (c *core) post(url string, hdr http.Header, body []byte) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header = hdr
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, "timeout of " + c.opts.WebhookTimeout.String() + " exceeded"
		}
		return 0, err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return resp.StatusCode, ""
}

// Deliveries returns a copy of every webhook queued so far, in order.
func (c *core) Deliveries() []Delivery {
	dl := &c.deliveries
	dl.mu.Lock()
	defer dl.mu.Unlock()
	out := make([]Delivery, 0, len(dl.list))
	for _, d := range dl.list {
		cp := *d
		cp.Header = d.Header.Clone()
		cp.Body = slices.Clone(d.Body)
		out = append(out, cp)
	}
	return out
}

// Flush waits until every queued webhook has been sent (or has failed).
func (c *core) Flush(ctx context.Context) error {
	dl := &c.deliveries
	for {
		dl.mu.Lock()
		if !dl.running {
			dl.mu.Unlock()
			return nil
		}
		idle := dl.idle
		dl.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
