package apptest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Identity fixtures are built through the real HTTP API, the way clients
// build them, so every suite also exercises the identity layer.

// The super admin that SuperAdminEnv makes New bootstrap.
const (
	SuperEmail    = "root@hub.test"
	SuperPassword = "root-passphrase-for-tests-1"
)

// Password is the password AddUser gives new users.
const Password = "a-strong-test-passphrase-2"

// RefreshCookie is the name of the refresh token cookie.
const RefreshCookie = "whatpro_refresh"

// SuperAdminEnv returns the settings that bootstrap SuperEmail as the hub's
// super admin; pass them (plus any others) in Options.Env.
func SuperAdminEnv(extra ...string) []string {
	return append([]string{
		"WHATPRO_BOOTSTRAP_ADMIN_EMAIL=" + SuperEmail,
		"WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=" + SuperPassword,
	}, extra...)
}

// Environ is the configuration a second process (the CLI, another
// instance) needs to reach the same database and key ring as h.
func (h *Hub) Environ() []string {
	cfg := h.App.Cfg
	env := []string{
		"WHATPRO_DATA_DIR=" + cfg.DataDir,
		"WHATPRO_SECRET_KEYS=" + cfg.SecretKeys,
		"WHATPRO_PUBLIC_URL=" + cfg.PublicURL.String(),
	}
	if cfg.DatabaseURL != "" {
		env = append(env, "WHATPRO_DATABASE_URL="+cfg.DatabaseURL)
	}
	return env
}

// Clock is a settable clock for app.Options.Now: token and key expiry and
// login throttling windows are tested by moving it, never by sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at the real current time.
func NewClock() *Clock { return &Clock{t: time.Now()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var seq atomic.Int64

// UniqueEmail returns an address no other fixture uses.
func UniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%d@example.test", prefix, seq.Add(1))
}

// Session is a logged-in console user.
type Session struct {
	UserID    string
	Email     string
	Password  string
	SessionID string // the sid claim of the access token
	Token     string // access token
	Refresh   string // refresh cookie value
	ExpiresAt time.Time
}

// Login logs in and fails the test unless it succeeds.
func (h *Hub) Login(email, password string) *Session {
	h.T.Helper()
	r := h.Do(Req{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": email, "password": password}})
	r.Expect(h.T, http.StatusOK)
	s := &Session{Email: email, Password: password}
	h.readTokens(r, s)
	return s
}

// LoginSuper logs in as the bootstrapped super admin (see SuperAdminEnv).
func (h *Hub) LoginSuper() *Session {
	h.T.Helper()
	return h.Login(SuperEmail, SuperPassword)
}

// Refresh presents s's refresh cookie. On 200 s takes the new tokens; the
// response is returned either way.
func (h *Hub) Refresh(s *Session) *Resp {
	h.T.Helper()
	r := h.Do(Req{Method: "POST", Path: "/api/v1/auth/refresh", Header: map[string]string{"Cookie": RefreshCookie + "=" + s.Refresh}})
	if r.Status == http.StatusOK {
		h.readTokens(r, s)
	}
	return r
}

func (h *Hub) readTokens(r *Resp, s *Session) {
	h.T.Helper()
	var body struct {
		AccessToken string    `json:"access_token"`
		ExpiresAt   time.Time `json:"expires_at"`
		User        struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	r.Decode(h.T, &body)
	c := r.Cookie(RefreshCookie)
	if body.AccessToken == "" || c == nil || c.Value == "" {
		h.T.Fatalf("no access token or refresh cookie: %s %v", r.Body, r.Header["Set-Cookie"])
	}
	s.Token, s.ExpiresAt, s.UserID, s.Refresh = body.AccessToken, body.ExpiresAt, body.User.ID, c.Value
	s.SessionID = TokenClaims(h.T, s.Token)["sid"].(string)
}

// TokenClaims decodes a JWT's claims without checking it (tests only).
func TokenClaims(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return m
}

// Cookie returns the named cookie the response sets, or nil.
func (r *Resp) Cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ExpectError fails the test unless the response is the error envelope
// with this status and code.
func (r *Resp) ExpectError(t testing.TB, status int, code string) *Resp {
	t.Helper()
	r.Expect(t, status)
	if got := r.ErrorCode(); got != code {
		t.Fatalf("error code %q, want %q; body: %s", got, code, r.Body)
	}
	return r
}

// Account is a tenant as created by CreateAccount.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreateAccount creates a tenant (token must be a super admin's).
func (h *Hub) CreateAccount(token, name string) Account {
	h.T.Helper()
	var a Account
	h.Do(Req{Method: "POST", Path: "/api/v1/accounts", Token: token, Body: map[string]string{"name": name}}).
		Expect(h.T, http.StatusCreated).Decode(h.T, &a)
	return a
}

// Member is a user as seen from one account.
type Member struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

// Invited is the answer to adding someone to an account.
type Invited struct {
	Member
	InvitationURL string `json:"invitation_url"`
	Mailed        bool   `json:"invitation_mailed"`
}

// Invite adds email to the account with role, the way an admin does: the
// person is invited and nothing else happens yet.
func (h *Hub) Invite(token, accountID, email, role string) Invited {
	h.T.Helper()
	var m Invited
	h.Do(Req{Method: "POST", Path: "/api/v1/accounts/" + accountID + "/users", Token: token,
		Body: map[string]string{"email": email, "name": "User " + strings.Split(email, "@")[0], "role": role}}).
		Expect(h.T, http.StatusCreated).Decode(h.T, &m)
	return m
}

// LinkToken is the one-time token in a link's fragment (#token=…).
func LinkToken(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	frag, err := url.ParseQuery(u.Fragment)
	if err != nil || frag.Get("token") == "" || u.RawQuery != "" {
		t.Fatalf("link %q carries no #token= (or a query)", link)
	}
	return frag.Get("token")
}

// Activate follows an invitation link as a person without a login does:
// they choose password and join.
func (h *Hub) Activate(link, password string) {
	h.T.Helper()
	h.Do(Req{Method: "POST", Path: "/api/v1/invitations/activate",
		Body: map[string]string{"token": LinkToken(h.T, link), "password": password}}).Expect(h.T, http.StatusNoContent)
}

// AddUser adds email to the account with role; a new email is activated
// at once with Password (as its person would from the link), someone who
// already has a login stays invited.
func (h *Hub) AddUser(token, accountID, email, role string) Member {
	h.T.Helper()
	m := h.Invite(token, accountID, email, role)
	if m.Mailed && h.Mailbox != nil {
		// The link went by mail: read it where the person would.
		var n int
		Eventually(h.T, "the invitation mail to "+email, func() bool { n = len(h.Mailbox.To(email)); return n > 0 })
		m.InvitationURL = h.Mailbox.To(email)[n-1].Link()
	}
	if m.InvitationURL == "" {
		h.T.Fatalf("no invitation link to hand over (mail configured without Hub.Mailbox?): %+v", m)
	}
	var view struct {
		HasLogin bool `json:"has_login"`
	}
	h.Do(Req{Method: "POST", Path: "/api/v1/invitations/inspect", Body: map[string]string{"token": LinkToken(h.T, m.InvitationURL)}}).
		Expect(h.T, http.StatusOK).Decode(h.T, &view)
	if !view.HasLogin {
		h.Activate(m.InvitationURL, Password)
		m.Status = "active"
	}
	return m.Member
}

// NewMember adds a fresh user with role to the account and logs them in.
func (h *Hub) NewMember(token, accountID, role string) *Session {
	h.T.Helper()
	m := h.AddUser(token, accountID, UniqueEmail(role), role)
	return h.Login(m.Email, Password)
}

// APIKey is a created key; Key is the full secret, shown only once.
type APIKey struct {
	ID        string     `json:"id"`
	Key       string     `json:"key"`
	Prefix    string     `json:"prefix"`
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// CreateAPIKey creates a key in the account with the given scopes.
func (h *Hub) CreateAPIKey(token, accountID, name string, scopes ...string) APIKey {
	h.T.Helper()
	var k APIKey
	h.Do(Req{Method: "POST", Path: "/api/v1/accounts/" + accountID + "/api-keys", Token: token,
		Body: map[string]any{"name": name, "scopes": scopes}}).Expect(h.T, http.StatusCreated).Decode(h.T, &k)
	return k
}

// Tenant is an account with a logged-in admin.
type Tenant struct {
	Account
	Admin *Session
}

// NewTenant creates an account (super must be a super admin's session) and
// a fresh admin user for it, logged in.
func (h *Hub) NewTenant(super *Session, name string) *Tenant {
	h.T.Helper()
	a := h.CreateAccount(super.Token, name)
	return &Tenant{Account: a, Admin: h.NewMember(super.Token, a.ID, "admin")}
}

// AuditRow is an audit log entry as the API lists it.
type AuditRow struct {
	Seq          int64           `json:"seq"`
	AccountID    string          `json:"account_id"`
	ActorType    string          `json:"actor_type"`
	ActorID      string          `json:"actor_id"`
	Action       string          `json:"action"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	Before       json.RawMessage `json:"before"`
	After        json.RawMessage `json:"after"`
}

// AuditLog lists the account's audit log (newest first) with query
// filters such as url.Values{"action": {"auth.*"}}.
func (h *Hub) AuditLog(token, accountID string, q url.Values) []AuditRow {
	h.T.Helper()
	var page struct {
		Data []AuditRow `json:"data"`
	}
	path := "/api/v1/accounts/" + accountID + "/audit-logs"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	h.Do(Req{Method: "GET", Path: path, Token: token}).Expect(h.T, http.StatusOK).Decode(h.T, &page)
	return page.Data
}

// Exec runs SQL straight against the hub's database (to age or tamper
// with rows).
func (h *Hub) Exec(q string, args ...any) {
	h.T.Helper()
	if _, err := h.App.DB.W.ExecContext(context.Background(), q, args...); err != nil {
		h.T.Fatalf("%s: %v", q, err)
	}
}

// Count runs a SELECT count(*) … query.
func (h *Hub) Count(q string, args ...any) int {
	h.T.Helper()
	var n int
	if err := h.App.DB.R.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		h.T.Fatalf("%s: %v", q, err)
	}
	return n
}

// AssertLogsFree fails the test if any of the secrets appears in the hub's
// logs.
func (h *Hub) AssertLogsFree(t testing.TB, secrets ...string) {
	t.Helper()
	logs := h.Logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the hub's logs contain a secret (%.12s…)", s)
		}
	}
}

// For returns a view of h whose helpers report to t: use it inside
// subtests so a failing helper stops the subtest, not its parent.
func (h *Hub) For(t testing.TB) *Hub {
	c := *h
	c.T = t
	return &c
}
