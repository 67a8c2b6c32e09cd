package cwsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Delivery kinds, matching WebhookJob's webhook_type.
const (
	KindAccountWebhook = "account_webhook"
	KindAPIInbox       = "api_inbox_webhook"
)

// Delivery records one outgoing webhook POST.
type Delivery struct {
	ID         string // X-Chatwoot-Delivery
	Kind       string // KindAccountWebhook or KindAPIInbox
	URL        string
	Event      string
	AccountID  int
	InboxID    int // API inbox deliveries only
	WebhookID  int // account webhook deliveries only
	Body       []byte
	Header     http.Header // as sent
	StatusCode int         // 0 when the request failed
	Err        string      // transport error or non-2xx summary
	Done       bool
}

// outbound is a delivery decided under mu and sent after it is released.
type outbound struct {
	d         *Delivery
	secret    string
	messageID int
	hold      <-chan struct{} // HoldNext: wait for it before sending
	delay     time.Duration   // ReorderRate: a late job
}

// outbox collects what one operation must send; base is FRONTEND_URL.
type outbox struct {
	base  string
	items []outbound
}

type deliveryLog struct {
	mu       sync.Mutex
	list     []*Delivery
	inflight int
	idle     chan struct{}
}

// emit fans an event out like WebhookListener: to every account webhook
// subscribed to it and, when ib is an API inbox with a webhook_url, to that
// URL (which has no subscription filter). Called with mu held.
func (s *Sim) emit(ob *outbox, accountID int, ib *inbox, event string, payload map[string]any) {
	if !s.wants(accountID, ib, event) {
		return // nobody listens: skip the encoding
	}
	payload["event"] = event
	body, err := json.Marshal(payload)
	if err != nil {
		return
	}
	msgID := 0
	if event == "message_created" || event == "message_updated" {
		msgID, _ = payload["id"].(int)
	}
	first := len(ob.items)
	defer func() { s.applyKnobs(ob, first, event) }()
	for _, wh := range s.webhooks {
		if wh.AccountID == accountID && slices.Contains(wh.Subscriptions, event) {
			ob.items = append(ob.items, outbound{secret: wh.Secret, d: &Delivery{
				Kind: KindAccountWebhook, URL: wh.URL, Event: event, AccountID: accountID, WebhookID: wh.ID, Body: body}})
		}
	}
	if ib != nil && ib.ChannelType == channelAPI && ib.WebhookURL != "" {
		ob.items = append(ob.items, outbound{secret: ib.Secret, messageID: msgID, d: &Delivery{
			Kind: KindAPIInbox, URL: ib.WebhookURL, Event: event, AccountID: accountID, InboxID: ib.ID, Body: body}})
	}
}

// wants reports whether an event of the account would go anywhere.
// Called with mu held.
func (s *Sim) wants(accountID int, ib *inbox, event string) bool {
	if ib != nil && ib.ChannelType == channelAPI && ib.WebhookURL != "" {
		return true
	}
	for _, wh := range s.webhooks {
		if wh.AccountID == accountID && slices.Contains(wh.Subscriptions, event) {
			return true
		}
	}
	return false
}

// dispatch starts one goroutine per delivery, like one WebhookJob each.
// The in-flight count is raised before returning so Flush sees them.
func (s *Sim) dispatch(ob *outbox) {
	if ob == nil {
		return
	}
	for _, o := range ob.items {
		o.d = cloneDelivery(o.d) // a duplicated job shares nothing with its twin
		if s.ver.deliveryIDs() {
			o.d.ID = uuidV4() // each WebhookJob gets its own
		}
		s.deliveries.mu.Lock()
		s.deliveries.list = append(s.deliveries.list, o.d)
		if n := len(s.deliveries.list); n >= 2*s.opts.DeliveryLog { // amortized trim to the newest
			s.deliveries.list = slices.Clone(s.deliveries.list[n-s.opts.DeliveryLog:])
		}
		if s.deliveries.inflight == 0 {
			s.deliveries.idle = make(chan struct{})
		}
		s.deliveries.inflight++
		s.deliveries.mu.Unlock()
		go s.send(o)
	}
	ob.items = nil
}

func (s *Sim) send(o outbound) {
	defer s.finish()
	if o.hold != nil {
		select {
		case <-o.hold:
		case <-s.closed:
		}
	}
	if o.delay > 0 {
		t := time.NewTimer(o.delay)
		select {
		case <-t.C:
		case <-s.closed:
			t.Stop()
		}
	}
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Accept", "application/json")
	hdr.Set("User-Agent", s.ver.userAgent())
	if o.d.ID != "" {
		hdr.Set("X-Chatwoot-Delivery", o.d.ID)
	}
	if o.secret != "" {
		ts := strconv.FormatInt(s.now().Unix(), 10)
		hdr.Set("X-Chatwoot-Timestamp", ts)
		hdr.Set("X-Chatwoot-Signature", Sign(o.secret, ts, o.d.Body))
	}
	status, errText := s.post(o.d.Kind, o.d.URL, hdr, o.d.Body)
	s.deliveries.mu.Lock()
	o.d.Header, o.d.StatusCode, o.d.Err, o.d.Done = hdr, status, errText, true
	s.deliveries.mu.Unlock()
	// Trigger#handle_error: a failed API-inbox delivery of a message event
	// marks the message failed with the error as external_error.
	if errText != "" && o.d.Kind == KindAPIInbox && o.messageID != 0 {
		s.markMessageFailed(o.messageID, errText)
	}
}

// maxRedirects is ssrf_filter's DEFAULT_MAX_REDIRECTS.
const maxRedirects = 10

// post makes one webhook attempt the way the version played does: one
// try, no retry; RestClient (up to 4.13) does not follow a redirect
// answer to a POST, SafeFetch (4.14+) follows up to ten with the same
// method and body, checking each hop. It returns the final status and
// Chatwoot's error text ("" for a 2xx).
func (s *Sim) post(kind, target string, hdr http.Header, body []byte) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.deliveryDeadline())
	defer cancel()
	for hop := 0; ; hop++ {
		if reason := s.refusal(ctx, kind, target); reason != "" {
			return 0, reason
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return 0, err.Error()
		}
		req.Header = hdr.Clone()
		resp, err := s.client.Do(req)
		if err != nil {
			return 0, s.transportError(req.URL, err)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		loc := resp.Header.Get("Location")
		if s.ver.safeFetch() && resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" && hop < maxRedirects {
			next, err := req.URL.Parse(loc)
			if err != nil {
				return resp.StatusCode, err.Error()
			}
			target = next.String()
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return resp.StatusCode, fmt.Sprintf("%d %s", resp.StatusCode, reasonPhrase(resp))
		}
		return resp.StatusCode, ""
	}
}

// reasonPhrase is the answer's own reason phrase, as Net::HTTP reports
// it, falling back to the standard text.
func reasonPhrase(resp *http.Response) string {
	if _, phrase, found := strings.Cut(resp.Status, " "); found && phrase != "" {
		return phrase
	}
	return http.StatusText(resp.StatusCode)
}

// transportError renders a failed attempt as the exception message the
// version's transport raises: RestClient's own timeout classes up to
// 4.13, Net::HTTP's (wrapped by SafeFetch) from 4.14 on.
func (s *Sim) transportError(u *url.URL, err error) string {
	hostPort := u.Hostname() + ":" + portOf(u)
	var op *net.OpError
	dialing := errors.As(err, &op) && op.Op == "dial"
	switch {
	case dialing && errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("Failed to open TCP connection to %s (Connection refused - connect(2) for %q port %s)", hostPort, u.Hostname(), portOf(u))
	case dialing && op.Timeout():
		if s.ver.safeFetch() {
			return "Failed to open TCP connection to " + hostPort + " (execution expired)"
		}
		return "Timed out connecting to server"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timeout awaiting response headers") || isTimeout(err):
		if s.ver.safeFetch() {
			return "Net::ReadTimeout with #<TCPSocket:(closed)>"
		}
		return "Timed out reading data from server"
	case dialing:
		return "Failed to open TCP connection to " + hostPort + " (" + op.Err.Error() + ")"
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// webhookClient wraps c so it never follows redirects (post does, per
// version), or builds the simulator's own client, whose dialer and
// response-header timeouts are WEBHOOK_TIMEOUT each, like Chatwoot's
// open_timeout and read_timeout.
func webhookClient(c *http.Client, timeout time.Duration) *http.Client {
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c != nil {
		cp := *c
		cp.CheckRedirect = noRedirect
		return &cp
	}
	return &http.Client{CheckRedirect: noRedirect, Transport: &http.Transport{
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
	}}
}

// deliveryDeadline bounds a whole attempt: open plus read for the
// simulator's own client, one WebhookTimeout for a client given in Options.
func (s *Sim) deliveryDeadline() time.Duration {
	if s.opts.HTTPClient != nil {
		return s.opts.WebhookTimeout
	}
	return 2*s.opts.WebhookTimeout + time.Second
}

func (s *Sim) finish() {
	s.deliveries.mu.Lock()
	defer s.deliveries.mu.Unlock()
	s.deliveries.inflight--
	if s.deliveries.inflight == 0 {
		close(s.deliveries.idle)
	}
}

// Sign computes Chatwoot's X-Chatwoot-Signature value:
// "sha256=" + hex(HMAC-SHA256(secret, "{timestamp}.{body}")).
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Deliveries returns a copy of the deliveries started so far, in start
// order: all of them up to Options.DeliveryLog, then at least the newest
// DeliveryLog.
func (s *Sim) Deliveries() []Delivery {
	s.deliveries.mu.Lock()
	defer s.deliveries.mu.Unlock()
	out := make([]Delivery, 0, len(s.deliveries.list))
	for _, d := range s.deliveries.list {
		c := *d
		c.Header = d.Header.Clone()
		c.Body = slices.Clone(d.Body)
		out = append(out, c)
	}
	return out
}

// Flush waits until no delivery is in flight (including deliveries that
// failures trigger, such as message_updated after a failed API-inbox POST).
func (s *Sim) Flush(ctx context.Context) error {
	for {
		s.deliveries.mu.Lock()
		if s.deliveries.inflight == 0 {
			s.deliveries.mu.Unlock()
			return nil
		}
		idle := s.deliveries.idle
		s.deliveries.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func uuidV4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
