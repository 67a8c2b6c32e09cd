package realtime

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/ops"
)

// Viewer is who holds a socket: the principal the ticket was minted for
// and what it may do in the account, both re-resolved every few seconds.
type Viewer struct {
	AccountID string
	Principal *iam.Principal
	Access    *iam.Access
}

// Key identifies the viewer for memoised checks.
func (v *Viewer) Key() string {
	return v.Principal.Kind + ":" + v.Principal.ActorID() + ":" + v.Principal.SessionID
}

// Filter decides, per event, whether the viewer sees it. It runs under the
// hub's locks for every event of the topic, so it must only read what
// Authorize captured (no I/O).
type Filter func(e *Event) bool

// Authorizer decides what viewers may read in the topics of one prefix
// ("board" for "board:<id>"). Each domain registers its own. Authorize
// runs at subscription and again every recheck; an error (an *httpx.Error
// with FORBIDDEN or NOT_FOUND) refuses or ends the subscription.
type Authorizer interface {
	Authorize(ctx context.Context, v *Viewer, topic string) (Filter, error)
}

// Publisher is implemented by authorizers whose topics accept ephemeral
// events from clients (typing, presence).
type Publisher interface {
	MayPublish(ctx context.Context, v *Viewer, topic, event string) bool
}

// ScopedPublisher is a Publisher that also reads the event's data: it
// answers the scope the event is delivered under (each socket's filter
// checks it, as for stored events), or send=false when it handled the
// event itself (a presence heartbeat that changed nothing), or an error
// (an *httpx.Error) that refuses it.
type ScopedPublisher interface {
	PublishScope(ctx context.Context, v *Viewer, topic, event string, data map[string]any) (scope string, send bool, err error)
}

// Principals re-checks sockets' credentials; *iam.Service implements it.
type Principals interface {
	Revalidate(ctx context.Context, p *iam.Principal) error
	ResolveAccess(ctx context.Context, p *iam.Principal, accountID string) (*iam.Access, error)
}

// Config tunes the hub; zero values take the defaults.
type Config struct {
	Window       time.Duration // replay window by age (24 h)
	WindowEvents int64         // replay window by count per account (100,000)
	PingEvery    time.Duration // WebSocket ping (30 s)
	RecheckEvery time.Duration // credentials and permissions (5 s)
	PollEvery    time.Duration // safety poll of the heads (1 s SQLite, 5 s PostgreSQL)
	QueueSize    int           // messages queued per socket before it counts as slow (256)
}

func (c *Config) defaults(d db.Dialect) {
	if c.Window <= 0 {
		c.Window = 24 * time.Hour
	}
	if c.WindowEvents <= 0 {
		c.WindowEvents = 100_000
	}
	if c.PingEvery <= 0 {
		c.PingEvery = 30 * time.Second
	}
	if c.RecheckEvery <= 0 {
		c.RecheckEvery = 5 * time.Second
	}
	if c.PollEvery <= 0 {
		c.PollEvery = time.Second
		if d == db.Postgres {
			c.PollEvery = 5 * time.Second
		}
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
}

// Hub fans stored events out to this instance's sockets.
type Hub struct {
	DB         *db.DB
	Log        *slog.Logger
	Principals Principals
	// Origins lists the origins allowed for an account (embed.Origins).
	Origins   func(ctx context.Context, accountID string) []string
	HubOrigin string
	Cfg       Config

	mu       sync.Mutex
	streams  map[string]*stream
	conns    map[*conn]struct{}
	authz    map[string]Authorizer
	perms    []string
	stopped  chan struct{}
	stopOnce sync.Once
	announce announcer
	wg       sync.WaitGroup

	sockets prometheus.Gauge
	slow    prometheus.Counter
	// events counts events fanned out by type; delivery is the time from
	// an event's commit to its fan-out; resyncs counts subscriptions
	// answered resync (their last_seq was too old).
	events   *prometheus.CounterVec
	delivery prometheus.Observer
	resyncs  prometheus.Counter
}

// NewHub builds a hub and registers its metrics.
func NewHub(d *db.DB, log *slog.Logger, p Principals, cfg Config, reg prometheus.Registerer) *Hub {
	cfg.defaults(d.Dialect)
	h := &Hub{DB: d, Log: log, Principals: p, Cfg: cfg, streams: map[string]*stream{}, authz: map[string]Authorizer{},
		stopped: make(chan struct{}), announce: announcer{ready: make(chan struct{}, 1)},
		sockets: prometheus.NewGauge(prometheus.GaugeOpts{Name: "whatpro_realtime_sockets", Help: "Open realtime WebSockets."}),
		slow: prometheus.NewCounter(prometheus.CounterOpts{Name: "whatpro_realtime_slow_disconnects_total",
			Help: "Sockets closed because they could not keep up."})}
	if reg != nil {
		reg.MustRegister(h.sockets, h.slow)
	}
	m := ops.Meter{Reg: reg, Subsystem: "realtime"}
	h.events = m.Counter("events_total", "Events fanned out to this instance's sockets, by event type.", "event")
	h.delivery = m.Latency("delivery_seconds", "From an event's commit to its fan-out to the sockets.").WithLabelValues()
	h.resyncs = m.Counter("resyncs_total", "Subscriptions answered resync because their last_seq was too old.").WithLabelValues()
	return h
}

// Register makes a domain's authorizer own the topics "prefix:…" (and the
// bare topic "prefix"); perm is the permission that lets a principal mint
// a ticket for them.
func (h *Hub) Register(prefix, perm string, a Authorizer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.authz[prefix] = a
	h.perms = append(h.perms, perm)
}

func (h *Hub) authorizer(topic string) Authorizer {
	prefix, _, _ := strings.Cut(topic, ":")
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.authz[prefix]
}

// TicketPermissions are the permissions of which a principal needs one to
// mint a ticket.
func (h *Hub) TicketPermissions() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.perms...)
}

// Wake tells this instance's streams that an account has new events (a
// NOTIFY from another instance, or Committed here).
func (h *Hub) Wake(accountID string) {
	h.mu.Lock()
	s := h.streams[accountID]
	h.mu.Unlock()
	if s != nil {
		s.poke()
	}
}

func (h *Hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.streams {
		s.poke()
	}
}

// stream returns the account's stream, starting it on first use.
func (h *Hub) stream(ctx context.Context, accountID string) (*stream, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.stopped:
		return nil, errors.New("realtime: the hub is stopping")
	default:
	}
	if s := h.streams[accountID]; s != nil {
		s.refs++
		h.wg.Add(1) // the socket's handler, done in drop
		return s, nil
	}
	head, _, err := heads(ctx, h.DB.R, accountID)
	if err != nil {
		return nil, err
	}
	s := &stream{hub: h, accountID: accountID, pos: head, conns: map[*conn]struct{}{}, wake: make(chan struct{}, 1), refs: 1}
	h.streams[accountID] = s
	h.wg.Add(2) // the stream's loop, and the socket's handler (done in drop)
	go s.run()
	return s, nil
}

// drop releases a socket's hold on its account's stream (taken by
// stream) and stops the stream when the last one lets go.
func (h *Hub) drop(s *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	defer h.wg.Done()
	s.refs--
	if s.refs > 0 {
		return
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	delete(h.streams, s.accountID)
	close(s.wake)
}

// Stop closes every socket (going away), stops the streams and waits for
// the sockets' handlers, so none touches the database after it returns.
func (h *Hub) Stop() {
	h.stopOnce.Do(func() {
		close(h.stopped)
		h.mu.Lock()
		all := make([]*conn, 0, len(h.conns))
		for c := range h.conns {
			all = append(all, c)
		}
		h.mu.Unlock()
		for _, c := range all {
			c.kill(closeGoingAway, "the server is restarting")
		}
	})
	h.wg.Wait()
}

func heads(ctx context.Context, q db.Querier, accountID string) (head, floor int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT seq, floor FROM event_heads WHERE account_id = $1`, accountID).Scan(&head, &floor)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return head, floor, err
}

// wire is an event encoded once for every socket.
type wire struct {
	ev  Event
	msg []byte
}

func encodeEvent(e Event) []byte {
	b, _ := json.Marshal(struct {
		Type      string          `json:"type"`
		Seq       int64           `json:"seq"`
		Event     string          `json:"event"`
		AccountID string          `json:"account_id"`
		Topic     string          `json:"topic"`
		Data      json.RawMessage `json:"data"`
	}{"event", e.Seq, e.Type, e.AccountID, e.Topic, e.Data})
	return b
}
