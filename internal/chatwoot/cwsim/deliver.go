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
	"net/http"
	"slices"
	"strconv"
	"sync"
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
	payload["event"] = event
	body, err := json.Marshal(payload)
	if err != nil {
		return
	}
	msgID := 0
	if event == "message_created" || event == "message_updated" {
		msgID, _ = payload["id"].(int)
	}
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

// dispatch starts one goroutine per delivery, like one WebhookJob each.
// The in-flight count is raised before returning so Flush sees them.
func (s *Sim) dispatch(ob *outbox) {
	if ob == nil {
		return
	}
	for _, o := range ob.items {
		o.d.ID = uuidV4()
		s.deliveries.mu.Lock()
		s.deliveries.list = append(s.deliveries.list, o.d)
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
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.WebhookTimeout)
	defer cancel()
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Accept", "application/json")
	hdr.Set("User-Agent", "rest-client/2.1.0 (linux x86_64) ruby/3.4.4p34")
	hdr.Set("X-Chatwoot-Delivery", o.d.ID)
	if o.secret != "" {
		ts := strconv.FormatInt(s.now().Unix(), 10)
		hdr.Set("X-Chatwoot-Timestamp", ts)
		hdr.Set("X-Chatwoot-Signature", Sign(o.secret, ts, o.d.Body))
	}
	status, errText := 0, ""
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.d.URL, bytes.NewReader(o.d.Body))
	if err == nil {
		req.Header = hdr.Clone()
		var resp *http.Response
		resp, err = s.opts.HTTPClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
			status = resp.StatusCode
			if status < 200 || status > 299 {
				errText = fmt.Sprintf("%d %s", status, http.StatusText(status))
			}
		}
	}
	if err != nil {
		errText = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			errText = "Timed out reading data from server"
		}
	}
	s.deliveries.mu.Lock()
	o.d.Header, o.d.StatusCode, o.d.Err, o.d.Done = hdr, status, errText, true
	s.deliveries.mu.Unlock()
	// Trigger#handle_error: a failed API-inbox delivery of a message event
	// marks the message failed with the error as external_error.
	if errText != "" && o.d.Kind == KindAPIInbox && o.messageID != 0 {
		s.markMessageFailed(o.messageID, errText)
	}
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

// Deliveries returns a copy of every delivery started so far, in start order.
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
