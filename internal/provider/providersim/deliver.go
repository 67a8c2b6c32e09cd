package providersim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Delivery records one webhook (an event posted to a URL) and how its
// attempts went.
type Delivery struct {
	ID       string
	URL      string
	Event    string // Evolution: "connection.update", …; Cloud API: "messages" or "statuses"
	Instance string // Evolution instance name, or Cloud API phone number id
	Chat     string // the chat it is about ("" for instance events); events of one chat go out in order
	Body     []byte
	Header   http.Header // as sent

	Attempts   int    // POSTs made so far
	StatusCode int    // of the last attempt; 0 when it failed before an answer
	Err        string // transport error or non-2xx summary of the last attempt
	Done       bool   // no more attempts will be made
}

// retryPolicy is how a provider retries a webhook: Evolution's
// retryWebhookRequest (10 attempts, exponential from 5 s capped at 300 s,
// 20% jitter, none for 400/401/403/404/422), Meta's redelivery of any
// non-2xx answer.
type retryPolicy struct {
	attempts  int
	base, max time.Duration
	final     func(status int) bool // an answer not worth retrying
}

func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.base << min(attempt-1, 30)
	if d > p.max || d <= 0 {
		d = p.max
	}
	return d + time.Duration(rand.Float64()*0.2*float64(d))
}

// deliveryLog keeps one FIFO per ordering key (instance and chat), each
// sent by its own worker while it has work: a chat's events never
// overtake each other, not even while one is being retried, and a chat
// that retries never holds up another.
type deliveryLog struct {
	mu      sync.Mutex
	list    []*Delivery
	queues  map[string][]*Delivery // the head is in flight
	pending int                    // queued or in flight
	idle    chan struct{}          // closed when pending drops to zero
}

// enqueue queues d behind the other events of its chat.
func (c *core) enqueue(d *Delivery) {
	d.ID = uuidV4()
	key := d.Instance + "\x00" + d.Chat
	dl := &c.deliveries
	dl.mu.Lock()
	defer dl.mu.Unlock()
	dl.list = append(dl.list, d)
	if n := len(dl.list); n >= 2*c.opts.DeliveryLog { // amortized trim to the newest
		dl.list = slices.Clone(dl.list[n-c.opts.DeliveryLog:])
	}
	if dl.queues == nil {
		dl.queues = map[string][]*Delivery{}
	}
	q := dl.queues[key]
	dl.queues[key] = append(q, d)
	if dl.pending == 0 {
		dl.idle = make(chan struct{})
	}
	dl.pending++
	if len(q) == 0 {
		go c.work(key)
	}
}

func (c *core) work(key string) {
	dl := &c.deliveries
	for {
		dl.mu.Lock()
		d := dl.queues[key][0]
		dl.mu.Unlock()
		c.deliver(d)
		dl.mu.Lock()
		dl.queues[key] = dl.queues[key][1:]
		dl.pending--
		if dl.pending == 0 {
			close(dl.idle)
		}
		if len(dl.queues[key]) == 0 {
			delete(dl.queues, key)
			dl.mu.Unlock()
			return
		}
		dl.mu.Unlock()
	}
}

// deliver makes d's attempts, waiting out the backoff between them, and
// gives up early once the simulator closes.
func (c *core) deliver(d *Delivery) {
	dl := &c.deliveries
	for attempt := 1; ; attempt++ {
		dl.mu.Lock()
		hdr := d.Header.Clone()
		dl.mu.Unlock()
		status, errText := c.post(d.URL, hdr, d.Body)
		dl.mu.Lock()
		d.Attempts, d.StatusCode, d.Err = attempt, status, errText
		dl.mu.Unlock()
		if errText == "" || attempt >= c.retry.attempts || (status != 0 && c.retry.final(status)) {
			break
		}
		t := time.NewTimer(c.retry.backoff(attempt))
		select {
		case <-t.C:
			continue
		case <-c.closed:
			t.Stop()
		}
		break
	}
	dl.mu.Lock()
	d.Done = true
	dl.mu.Unlock()
}

// post makes one attempt.
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

// Deliveries returns a copy of the webhooks queued so far, in the order
// they were queued (all of them up to Options.DeliveryLog, then at least
// the newest DeliveryLog).
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

// Flush waits until every queued webhook has been delivered or given up
// on, retries included.
func (c *core) Flush(ctx context.Context) error {
	dl := &c.deliveries
	for {
		dl.mu.Lock()
		if dl.pending == 0 {
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
