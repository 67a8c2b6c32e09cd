package cwsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var testNow = time.Date(2026, 6, 17, 10, 0, 0, 0, time.UTC)

// Users of DefaultSeed by role, for readability.
const (
	adminAcme = 1 // administrator of account 1
	agentAcme = 2 // agent of account 1
	adminBeta = 3 // administrator of account 2
	multiUser = 5 // administrator of 1, agent of 2
)

func newSim(t *testing.T, opts ...func(*Options)) *Sim {
	t.Helper()
	o := Options{Now: func() time.Time { return testNow }, FrontendURL: "http://chatwoot.test"}
	for _, f := range opts {
		f(&o)
	}
	s := New(DefaultSeed(), o)
	t.Cleanup(s.Close)
	return s
}

func userOf(s *Sim, id int) SeedUser {
	for _, u := range s.Seed().Users {
		if u.ID == id {
			return u
		}
	}
	panic("no seed user")
}

func tokenHeader(s *Sim, userID int) http.Header {
	return http.Header{"Api_access_token": {userOf(s, userID).APIAccessToken}}
}

type result struct {
	status int
	header http.Header
	raw    []byte
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.raw, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.raw)
	}
	return m
}

func (r result) list(t *testing.T) []any {
	t.Helper()
	var l []any
	if err := json.Unmarshal(r.raw, &l); err != nil {
		t.Fatalf("body is not a JSON array: %v: %s", err, r.raw)
	}
	return l
}

// do drives one request through the handler; body may be nil, a string
// (sent raw) or a value (sent as JSON).
func do(t *testing.T, s *Sim, method, path string, hdr http.Header, body any) result {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return result{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
}

func want(t *testing.T, r result, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
}

func flush(t *testing.T, s *Sim) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

// receiver is an httptest webhook endpoint that records what it gets.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status func(path string) int
	verify func(h http.Header, body []byte) int // when set, decides the status instead
}

type received struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{status: func(string) int { return http.StatusOK }}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{path: r.URL.Path, header: r.Header.Clone(), body: body})
		status := rc.status(r.URL.Path)
		if rc.verify != nil {
			status = rc.verify(r.Header, body)
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) events(path string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, g := range rc.got {
		if g.path == path {
			var m map[string]any
			_ = json.Unmarshal(g.body, &m)
			ev, _ := m["event"].(string)
			out = append(out, ev)
		}
	}
	return out
}

func (rc *receiver) find(path, event string) (received, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, g := range rc.got {
		var m map[string]any
		_ = json.Unmarshal(g.body, &m)
		if g.path == path && m["event"] == event {
			return g, true
		}
	}
	return received{}, false
}

func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch key := p.(type) {
		case string:
			m, isMap := v.(map[string]any)
			if !isMap {
				t.Fatalf("dig %v: %T is not an object", path, v)
			}
			v = m[key]
		case int:
			l, isList := v.([]any)
			if !isList || key >= len(l) {
				t.Fatalf("dig %v: no index %d in %v", path, key, v)
			}
			v = l[key]
		}
	}
	return v
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// bodies returns the decoded bodies of path's deliveries of event, in arrival order.
func (rc *receiver) bodies(path, event string) []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []map[string]any
	for _, g := range rc.got {
		var m map[string]any
		_ = json.Unmarshal(g.body, &m)
		if g.path == path && m["event"] == event {
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
