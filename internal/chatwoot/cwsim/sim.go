package cwsim

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options tunes a Sim. The zero value is usable.
type Options struct {
	// DashboardScripts is raw HTML placed last in <body> of every /app page,
	// like Chatwoot's DASHBOARD_SCRIPTS installation config.
	DashboardScripts string
	// Now is the clock; tokens, timestamps and webhook signatures use it.
	Now func() time.Time
	// HTTPClient delivers outgoing webhooks. Its Timeout, when zero, is
	// replaced by WebhookTimeout per delivery.
	HTTPClient *http.Client
	// WebhookTimeout bounds one delivery; Chatwoot's WEBHOOK_TIMEOUT default is 5s.
	WebhookTimeout time.Duration
	// Version is reported by GET /api; default "4.15.0".
	Version string
	// FrontendURL is Chatwoot's FRONTEND_URL, used to build attachment
	// data_url values. Empty means "derive from the request's Host".
	FrontendURL string
	// ContentSecurityPolicy, when set, is sent on /app pages. Chatwoot sends
	// none; browser tests use it to prove the pages need no inline script.
	ContentSecurityPolicy string
}

// Sim is a running simulated Chatwoot installation. All methods are safe for
// concurrent use.
type Sim struct {
	opts Options

	mu             sync.Mutex
	seed           Seed
	accounts       []*account
	users          []*user
	sessions       map[string]*session // by client id
	inboxes        []*inbox
	contacts       []*contact
	contactInboxes []*contactInbox
	conversations  []*conversation
	messages       []*message
	webhooks       []*webhook
	dashboardApps  []*dashboardApp
	seq            map[string]int
	failures       []*failure

	deliveries deliveryLog
	routes     []route
	frontend   atomic.Value // string; see SetFrontendURL

	closeOnce sync.Once
	closed    chan struct{}
}

// New builds a simulator from seed. Inconsistent seed entries (unknown
// accounts, unknown roles, duplicate ids) are skipped rather than fatal; use
// Seed.Validate to reject them up front. Users without an API token get a
// random one; Seed() reports the effective values.
func New(seed Seed, opts Options) *Sim {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Version == "" {
		opts.Version = "4.15.0"
	}
	if opts.WebhookTimeout <= 0 {
		opts.WebhookTimeout = 5 * time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	s := &Sim{
		opts:     opts,
		sessions: map[string]*session{},
		seq:      map[string]int{},
		closed:   make(chan struct{}),
	}
	s.frontend.Store(strings.TrimRight(opts.FrontendURL, "/"))
	s.load(seed)
	s.routes = s.routeTable()
	return s
}

// SetFrontendURL sets FRONTEND_URL after New, for tests that learn their
// httptest server URL only once the handler exists. Attachment data_url
// values created afterwards use it.
func (s *Sim) SetFrontendURL(url string) { s.frontend.Store(strings.TrimRight(url, "/")) }

func (s *Sim) load(seed Seed) {
	now := s.now()
	known := map[int]bool{}
	for _, a := range seed.Accounts {
		if a.ID <= 0 || known[a.ID] {
			continue
		}
		known[a.ID] = true
		s.accounts = append(s.accounts, &account{ID: a.ID, Name: a.Name, CreatedAt: now})
		s.bump("account", a.ID)
		s.seed.Accounts = append(s.seed.Accounts, a)
	}
	seenUser, seenEmail := map[int]bool{}, map[string]bool{}
	for _, su := range seed.Users {
		email := strings.ToLower(strings.TrimSpace(su.Email))
		if su.ID <= 0 || seenUser[su.ID] || email == "" || seenEmail[email] {
			continue
		}
		seenUser[su.ID], seenEmail[email] = true, true
		if su.APIAccessToken == "" {
			su.APIAccessToken = randomToken(24)
		}
		u := &user{ID: su.ID, Name: su.Name, Email: email, Password: su.Password,
			AccessToken: su.APIAccessToken, PubsubToken: randomToken(24), Confirmed: true}
		var kept []SeedMembership
		for _, m := range su.Accounts {
			if !known[m.ID] || (m.Role != RoleAdministrator && m.Role != RoleAgent) {
				continue
			}
			kept = append(kept, m)
			u.Members = append(u.Members, membership{AccountID: m.ID, Role: m.Role, AutoOffline: true})
		}
		su.Accounts = kept
		s.users = append(s.users, u)
		s.bump("user", su.ID)
		s.seed.Users = append(s.seed.Users, su)
	}
}

// Seed returns the effective seed, including generated API tokens.
func (s *Sim) Seed() Seed {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Seed{Accounts: append([]SeedAccount(nil), s.seed.Accounts...)}
	for _, u := range s.seed.Users {
		u.Accounts = append([]SeedMembership(nil), u.Accounts...)
		out.Users = append(out.Users, u)
	}
	return out
}

// Close stops in-flight hung requests (see Hang) and waits for webhook
// deliveries to finish or time out. The handler keeps answering afterwards.
func (s *Sim) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*s.opts.WebhookTimeout)
	defer cancel()
	_ = s.Flush(ctx)
}

func (s *Sim) now() time.Time { return s.opts.Now().UTC() }

// next hands out ids; Chatwoot ids are global per table, not per account.
func (s *Sim) next(table string) int {
	s.seq[table]++
	return s.seq[table]
}

// bump makes sure later ids do not collide with a seeded one.
func (s *Sim) bump(table string, id int) {
	if id > s.seq[table] {
		s.seq[table] = id
	}
}
