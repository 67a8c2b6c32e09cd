package apptest

import (
	"strings"
	"testing"
	"time"
)

// Scenario is one row of an HTTP scenario table: a call and the answer it
// must get. Header carries the principal (see Bearer and APIKey).
type Scenario struct {
	Name     string
	Method   string
	Path     string
	Header   map[string]string
	Body     any
	Status   int
	Code     string   // error code, "" = not an error envelope
	Contains []string // substrings the body must hold
	Lacks    []string // substrings the body must not hold
}

// Bearer is the header of a bearer credential (session or instance token).
func Bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// KeyHeader is the header of an API key.
func KeyHeader(key string) map[string]string { return map[string]string{"X-API-Key": key} }

// Run performs the scenarios in order (they may depend on each other's
// effects) and returns the responses by name.
func Run(t *testing.T, h *Hub, rows []Scenario) map[string]*Resp {
	t.Helper()
	out := map[string]*Resp{}
	for _, sc := range rows {
		r := h.Do(Req{Method: sc.Method, Path: sc.Path, Header: sc.Header, Body: sc.Body})
		out[sc.Name] = r
		Check(t, sc, r)
	}
	return out
}

// Check reports every way r differs from what sc expects.
func Check(t testing.TB, sc Scenario, r *Resp) {
	t.Helper()
	if r.Status != sc.Status {
		t.Errorf("%s: %s %s = %d, want %d; body: %s", sc.Name, sc.Method, sc.Path, r.Status, sc.Status, r.Body)
		return
	}
	if got := r.ErrorCode(); got != sc.Code {
		t.Errorf("%s: error code %q, want %q; body: %s", sc.Name, got, sc.Code, r.Body)
	}
	for _, s := range sc.Contains {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("%s: body lacks %q: %s", sc.Name, s, r.Body)
		}
	}
	for _, s := range sc.Lacks {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("%s: body holds %q: %s", sc.Name, s, r.Body)
		}
	}
}

// EventuallyTimeout bounds Eventually: generous, because a loaded 2-core
// machine can be slow, and a passing condition returns at once.
const EventuallyTimeout = 60 * time.Second

// Eventually polls cond until it returns true or EventuallyTimeout passes,
// then fails the test with what. It replaces fixed sleeps: to prove that
// something did not happen, wait instead for a later event that must
// follow it, then check.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(EventuallyTimeout)
	wait := 5 * time.Millisecond
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for: %s", EventuallyTimeout, what)
		}
		time.Sleep(wait) // a poll interval, not a wait for an effect
		wait = min(wait*2, 200*time.Millisecond)
	}
}
