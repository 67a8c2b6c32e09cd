package providersim

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxBody caps what the simulators read from a request: media sends and
// uploads (Evolution's body-parser allows 136 MB, Meta 100 MB for
// documents) stay well under it. maxLogged caps the copy the request log
// keeps.
const (
	maxBody   = 64 << 20
	maxLogged = 1 << 20
)

// Request is one request a simulator received, recorded before any failure
// knob or handler ran.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	At     time.Time
}

// core is what both simulators share: options, the request log, failure
// knobs and the webhook queue. Its exported methods are promoted onto
// Evolution and CloudAPI.
type core struct {
	opts Options

	recMu    sync.Mutex // guards the fields below
	baseURL  string
	requests []Request
	failures []*failure

	deliveries deliveryLog
	retry      retryPolicy

	closeOnce sync.Once
	closed    chan struct{}
}

func newCore(opts Options) *core {
	opts = opts.withDefaults()
	return &core{opts: opts, baseURL: opts.BaseURL, closed: make(chan struct{}),
		retry: retryPolicy{attempts: opts.WebhookAttempts, base: opts.RetryBase, max: opts.RetryMax,
			final: func(int) bool { return false }}}
}

func (c *core) now() time.Time { return c.opts.Now().UTC() }

// SetBaseURL sets the simulator's own address once it is known (after
// listening on port 0, or behind a proxy).
func (c *core) SetBaseURL(u string) {
	c.recMu.Lock()
	c.baseURL = strings.TrimRight(u, "/")
	c.recMu.Unlock()
}

// BaseURL reports the simulator's own address ("" until set or learnt).
func (c *core) BaseURL() string {
	c.recMu.Lock()
	defer c.recMu.Unlock()
	return c.baseURL
}

// Requests returns a copy of the requests received so far, in order (all
// of them up to Options.DeliveryLog, then at least the newest DeliveryLog;
// bodies beyond 1 MiB are cut).
func (c *core) Requests() []Request {
	c.recMu.Lock()
	defer c.recMu.Unlock()
	out := make([]Request, len(c.requests))
	for i, r := range c.requests {
		r.Header = r.Header.Clone()
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Close releases hung requests (see HangNext) and waits for queued webhooks
// to be sent or to time out. The handler keeps answering afterwards.
func (c *core) Close() {
	c.releaseHung()
	ctx, cancel := context.WithTimeout(context.Background(), 2*c.opts.WebhookTimeout)
	defer cancel()
	_ = c.Flush(ctx)
}

// admit reads and records r, learns the base URL from the first request
// and applies a pending failure. It reports the body, or ok=false when the
// request has been answered already.
func (c *core) admit(w http.ResponseWriter, r *http.Request, errBody func(int) any) (body []byte, ok bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	c.recMu.Lock()
	c.requests = append(c.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: slices.Clone(body[:min(len(body), maxLogged)]), At: c.now()})
	if n := len(c.requests); n >= 2*c.opts.DeliveryLog { // bounded like the delivery log
		c.requests = slices.Clone(c.requests[n-c.opts.DeliveryLog:])
	}
	if c.baseURL == "" && r.Host != "" {
		c.baseURL = "http://" + r.Host
	}
	c.recMu.Unlock()
	if f := c.takeFailure(r); f != nil {
		c.applyFailure(w, r, f, errBody)
		return nil, false
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errBody(http.StatusBadRequest))
		return nil, false
	}
	if len(body) > maxBody {
		writeJSON(w, http.StatusRequestEntityTooLarge, errBody(http.StatusRequestEntityTooLarge))
		return nil, false
	}
	return body, true
}

// releaseHung lets requests held by HangNext answer, without waiting for
// webhooks like Close does.
func (c *core) releaseHung() { c.closeOnce.Do(func() { close(c.closed) }) }
