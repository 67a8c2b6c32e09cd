package cwsim

import (
	"context"
	"net/http"
	"net/netip"
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
	// HTTPClient delivers outgoing webhooks; it never follows redirects
	// itself (the simulator does, as the version played would). When nil,
	// the simulator's own client applies WebhookTimeout as Chatwoot does: to
	// opening the connection and, separately, to waiting for the answer.
	// A client given here is bounded by one WebhookTimeout per delivery.
	HTTPClient *http.Client
	// WebhookTimeout is WEBHOOK_TIMEOUT; default 5s.
	WebhookTimeout time.Duration
	// Version is the Chatwoot release played ("4.12", "4.14.2"; default
	// 4.15.0, see ParseVersion). It gates delivery ids and account-webhook
	// signatures (4.12+), inbox secrets, signed inbox callbacks and
	// reset_secret (4.13+), SafeFetch and its User-Agent (4.14+), the account
	// in conversation payloads (4.14.2+), and GET /api reports it. New panics
	// on a version it cannot parse, like regexp.MustCompile.
	Version string
	// RefusePrivateNetwork makes 4.14+ refuse, like SafeFetch does, webhook
	// targets that resolve only to loopback or private addresses ("Hostname
	// '…' has no public ip addresses"). Off by default because a hub beside
	// Chatwoot runs with the opt-out below; on, it shows what a default
	// Chatwoot 4.14+ does to a hub on a private address.
	RefusePrivateNetwork bool
	// SafeFetchAllowPrivateNetwork is SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true,
	// honoured from 4.14.1 on.
	SafeFetchAllowPrivateNetwork bool
	// PrivateNetworkAllowedTypes, AllowedPrivateHosts and AllowedPrivateCIDRs
	// are WEBHOOK_PRIVATE_NETWORK_ALLOWED_TYPES (KindAccountWebhook,
	// KindAPIInbox), WEBHOOK_ALLOWED_PRIVATE_HOSTS and
	// WEBHOOK_ALLOWED_PRIVATE_CIDRS of the development line after 4.15
	// (Version 4.16): a listed webhook type may reach a listed private host
	// or an address in a listed range.
	PrivateNetworkAllowedTypes []string
	AllowedPrivateHosts        []string
	AllowedPrivateCIDRs        []netip.Prefix
	// Resolve looks up webhook hosts for the private-network check; default
	// the system resolver. IP literals are never looked up.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// FrontendURL is Chatwoot's FRONTEND_URL, used to build attachment
	// data_url values. Empty means "derive from the request's Host".
	FrontendURL string
	// DeliveryLog bounds how many webhook deliveries Deliveries keeps (the
	// newest); default 10000, so a long load run does not grow without
	// bound.
	DeliveryLog int
	// DuplicateRate is the share of message_created events Chatwoot sends
	// twice, each copy with its own X-Chatwoot-Delivery (#11901); 0 by
	// default. ReorderRate is the share of events whose deliveries run
	// ReorderDelay (default 1s) late, so later events overtake them.
	DuplicateRate, ReorderRate float64
	ReorderDelay               time.Duration
	// InboxLimit is every account's usage_limits[:inboxes] (the enterprise
	// and cloud plan limit): creating an inbox beyond it answers 402. Zero
	// means unlimited, as on a community install; SetInboxLimit overrides
	// it per account.
	InboxLimit int
	// ContentSecurityPolicy, when set, is sent on /app pages. Chatwoot sends
	// none; browser tests use it to prove the pages need no inline script.
	ContentSecurityPolicy string
}

// Sim is a running simulated Chatwoot installation. All methods are safe for
// concurrent use.
type Sim struct {
	opts   Options
	ver    Version
	client *http.Client // opts.HTTPClient without redirects

	mu             sync.Mutex
	seed           Seed
	accounts       []*account
	users          []*user
	sessions       map[string]*session // by client id
	userSessions   map[int][]string    // a user's client ids, oldest first
	inboxes        []*inbox
	teams          []*team
	contacts       []*contact
	contactInboxes []*contactInbox
	conversations  []*conversation
	idx            tables
	webhooks       []*webhook
	dashboardApps  []*dashboardApp
	agentBots      []*agentBot
	knobs          knobs
	seq            map[string]int
	failures       []*failure
	inboxLimits    map[int]int // per account, overriding Options.InboxLimit

	deliveries deliveryLog
	routes     []route
	frontend   atomic.Value // string; see SetFrontendURL
	learned    atomic.Value // string: the last request's origin, when FRONTEND_URL is unset

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
		opts.Version = DefaultVersion
	}
	ver, err := ParseVersion(opts.Version)
	if err != nil {
		panic("cwsim: " + err.Error())
	}
	if opts.WebhookTimeout <= 0 {
		opts.WebhookTimeout = 5 * time.Second
	}
	if opts.ReorderDelay <= 0 {
		opts.ReorderDelay = time.Second
	}
	if opts.DeliveryLog <= 0 {
		opts.DeliveryLog = 10000
	}
	s := &Sim{
		opts:     opts,
		ver:      ver,
		client:   webhookClient(opts.HTTPClient, opts.WebhookTimeout),
		sessions: map[string]*session{}, userSessions: map[int][]string{},
		inboxLimits: map[int]int{},
		idx:         newTables(),
		seq:         map[string]int{},
		closed:      make(chan struct{}),
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
