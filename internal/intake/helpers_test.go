package intake_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/intake"
)

const (
	adminEmail = "root@intake.test"
	adminPass  = "intake-Test-pass-42"
	secretA    = "cw-secret-of-link-a"
	secretB    = "cw-secret-of-link-b"
	inboxKey   = "cw-inbox-secret-1"
	urlToken   = "wpu_0123456789abcdef0123456789abcdef"
)

// Link ids known to the fake secrets.
const (
	linkA       = "0190a000-0000-7000-8000-00000000000a" // account A, signed
	linkB       = "0190a000-0000-7000-8000-00000000000b" // account B, signed
	linkToken   = "0190a000-0000-7000-8000-0000000000c1" // no secret, URL token on
	linkTokOff  = "0190a000-0000-7000-8000-0000000000c2" // no secret, URL token off
	linkBoth    = "0190a000-0000-7000-8000-0000000000c3" // secret and URL token on
	inboxLinkA  = "0190a000-0000-7000-8000-0000000000d1" // API inbox of account A
	unknownLink = "0190a000-0000-7000-8000-0000000000ff"
)

// fakeSecrets is the test's stand-in for the chatwoot_links store.
type fakeSecrets struct{ links, inboxes map[string]intake.Link }

func (f fakeSecrets) ChatwootLink(_ context.Context, id string) (intake.Link, error) {
	if l, ok := f.links[id]; ok {
		return l, nil
	}
	return intake.Link{}, db.ErrNotFound
}

func (f fakeSecrets) ChatwootInboxLink(_ context.Context, id string) (intake.Link, error) {
	if l, ok := f.inboxes[id]; ok {
		return l, nil
	}
	return intake.Link{}, db.ErrNotFound
}

// clock is an injectable, settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

type env struct {
	t          *testing.T
	h          *apptest.Hub
	d          *db.DB
	clock      *clock
	hd         *intake.Handler
	disp       *intake.Dispatcher // the test's registry (the store asks it)
	store      *intake.Store
	mux        *http.ServeMux
	accA, accB string
	token      string // the super admin's access token (admin API tests)
}

// setup builds a hub (no server, jobs not running) with the admin routes
// mounted through the real guard, two accounts, and the webhook handler
// on a store whose consumers are the test's own registry.
func setup(t *testing.T, dialect string) *env {
	t.Helper()
	hd := &intake.Handler{}
	// The app mounts the admin routes and registers the process worker on
	// its own dispatcher; the tests drive that dispatcher with their clock.
	h := apptest.New(t, dialect, apptest.Options{NoServer: true,
		Env: []string{"WHATPRO_BOOTSTRAP_ADMIN_EMAIL=" + adminEmail, "WHATPRO_BOOTSTRAP_ADMIN_PASSWORD=" + adminPass}})
	disp := &intake.Dispatcher{DB: h.App.DB, Jobs: h.App.Jobs}
	e := &env{t: t, h: h, d: h.App.DB, clock: &clock{t: time.Now().UTC()}, hd: hd, accA: db.NewID(), accB: db.NewID()}
	e.account(e.accA, "Account A")
	e.account(e.accB, "Account B")
	disp.Now = e.clock.Now
	e.store = &intake.Store{DB: h.App.DB, Consumers: disp, Now: e.clock.Now}
	*hd = intake.Handler{DB: h.App.DB, Store: e.store, Consumers: disp, Now: e.clock.Now, Secrets: fakeSecrets{
		links: map[string]intake.Link{
			linkA:      {AccountID: e.accA, Secret: secretA},
			linkB:      {AccountID: e.accB, Secret: secretB},
			linkToken:  {AccountID: e.accA, URLToken: urlToken, URLTokenEnabled: true},
			linkTokOff: {AccountID: e.accA, URLToken: urlToken},
			linkBoth:   {AccountID: e.accA, Secret: secretA, URLToken: urlToken, URLTokenEnabled: true},
		},
		inboxes: map[string]intake.Link{inboxLinkA: {AccountID: e.accA, Secret: inboxKey}},
	}}
	e.disp = disp
	e.mux = http.NewServeMux()
	e.mux.Handle("POST /webhooks/chatwoot/{linkID}", httpx.HandlerFunc(hd.ChatwootWebhook))
	e.mux.Handle("POST /webhooks/chatwoot/inboxes/{inboxLinkID}", httpx.HandlerFunc(hd.ChatwootInboxWebhook))
	return e
}

func (e *env) account(id, name string) {
	e.t.Helper()
	now := db.Now()
	e.exec(`INSERT INTO accounts (id, name, status, created_at, updated_at) VALUES ($1, $2, 'active', $3, $3)`, id, name, now)
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.d.W.ExecContext(context.Background(), q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// delivery is one webhook call as Chatwoot would make it.
type delivery struct {
	path     string // defaults to the account webhook of linkA
	body     string
	secret   string    // signs when set
	at       time.Time // X-Chatwoot-Timestamp; zero = the clock's now
	id       string    // X-Chatwoot-Delivery
	header   map[string]string
	unsigned bool // send no timestamp or signature even with a secret
}

// send posts d to the webhook mux and returns the recorder.
func (e *env) send(d delivery) *httptest.ResponseRecorder {
	e.t.Helper()
	if d.path == "" {
		d.path = "/webhooks/chatwoot/" + linkA
	}
	req := httptest.NewRequest(http.MethodPost, d.path, bytes.NewReader([]byte(d.body)))
	req.Header.Set("Content-Type", "application/json")
	if d.id != "" {
		req.Header.Set("X-Chatwoot-Delivery", d.id)
	}
	if d.secret != "" && !d.unsigned {
		at := d.at
		if at.IsZero() {
			at = e.clock.Now()
		}
		ts := strconv.FormatInt(at.Unix(), 10)
		req.Header.Set("X-Chatwoot-Timestamp", ts)
		req.Header.Set("X-Chatwoot-Signature", intake.Sign(d.secret, ts, []byte(d.body)))
	}
	for k, v := range d.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

// accept sends a signed delivery to linkA and returns the new event id.
func (e *env) accept(d delivery) string {
	e.t.Helper()
	if d.secret == "" {
		d.secret = secretA
	}
	rec := e.send(d)
	var out struct {
		Received bool   `json:"received"`
		ID       string `json:"id"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || !out.Received || out.ID == "" {
		e.t.Fatalf("delivery %s: %d %s, want 200 received", d.path, rec.Code, rec.Body)
	}
	return out.ID
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	must(e.t, e.d.R.QueryRowContext(context.Background(), q, args...).Scan(&n))
	return n
}

func (e *env) executions() int { return e.count(`SELECT count(*) FROM event_executions`) }

// jobs counts the executions waiting to be worked.
func (e *env) jobs() int {
	return e.count(`SELECT count(*) FROM event_runs WHERE status IN ('received', 'processing', 'failed')`)
}

// row is a stored execution read straight from the table.
type row struct {
	AccountID, Source, SourceID, Event, DeliveryID, Status, LastError string
	Payload                                                           sql.NullString
	Attempts                                                          int
	ReceivedAt, UpdatedAt                                             time.Time
}

func (e *env) row(id string) row {
	e.t.Helper()
	var r row
	must(e.t, e.d.R.QueryRowContext(context.Background(), `SELECT account_id, source, source_id, event, delivery_header, status,
		last_error, payload, attempts, received_at, updated_at FROM event_executions WHERE id = $1`, id).
		Scan(&r.AccountID, &r.Source, &r.SourceID, &r.Event, &r.DeliveryID, &r.Status, &r.LastError, &r.Payload,
			&r.Attempts, &r.ReceivedAt, &r.UpdatedAt))
	return r
}

// jobArgs returns the executions waiting to be worked, in the order the
// dispatcher claims them.
func (e *env) jobArgs() []intake.ProcessArgs {
	e.t.Helper()
	rows, err := e.d.R.QueryContext(context.Background(), `SELECT event_id, consumer FROM event_runs
		WHERE status IN ('received', 'processing', 'failed') ORDER BY run_at, event_id`)
	must(e.t, err)
	defer rows.Close()
	var out []intake.ProcessArgs
	for rows.Next() {
		var a intake.ProcessArgs
		must(e.t, rows.Scan(&a.ExecutionID, &a.Consumer))
		out = append(out, a)
	}
	must(e.t, rows.Err())
	return out
}

// login opens a session for the bootstrap super admin.
func (e *env) login() string {
	e.t.Helper()
	if e.token != "" {
		return e.token
	}
	rec := e.api("POST", "/api/v1/auth/login", map[string]string{"email": adminEmail, "password": adminPass})
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.AccessToken == "" {
		e.t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	e.token = out.AccessToken
	return e.token
}

// api calls the hub's real router (guard included).
func (e *env) api(method, path string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var buf bytes.Buffer
	if body != nil {
		must(e.t, json.NewEncoder(&buf).Encode(body))
	}
	req := httptest.NewRequest(method, path, &buf)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	rec := httptest.NewRecorder()
	e.h.App.Handler().ServeHTTP(rec, req)
	return rec
}

func errorCode(rec *httptest.ResponseRecorder) string {
	var env struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &env)
	return env.Error.Code
}

func msg(event string, id int) string {
	return `{"event":"` + event + `","id":` + strconv.Itoa(id) + `,"content":"Olá <b>mundo</b>","message_type":"incoming",` +
		`"private":false,"source_id":null,"account":{"id":1,"name":"Acme"},"inbox":{"id":7,"name":"WhatsApp"},` +
		`"conversation":{"id":42,"contact_inbox":{"source_id":"5511999990000","pubsub_token":"pubsub-secret-1"}}}`
}

// runs are an event's executions by consumer, read straight from the table.
func (e *env) runs(id string) map[string]intake.Run {
	e.t.Helper()
	rows, err := e.d.R.QueryContext(context.Background(), `SELECT consumer, status, attempts, last_error FROM event_runs WHERE event_id = $1`, id)
	must(e.t, err)
	defer rows.Close()
	out := map[string]intake.Run{}
	for rows.Next() {
		var r intake.Run
		must(e.t, rows.Scan(&r.Consumer, &r.Status, &r.Attempts, &r.LastError))
		out[r.Consumer] = r
	}
	must(e.t, rows.Err())
	return out
}

// sink makes a "sink" consumer take every Chatwoot event, so each stored
// event gets one execution and one job.
func (e *env) sink() {
	e.t.Helper()
	nop := func(context.Context, *intake.Execution) error { return nil }
	must(e.t, e.disp.RegisterAll("sink", map[string]intake.EventHandler{"chatwoot:*": nop, "chatwoot_inbox:*": nop}))
}
