package cwsim

import (
	"net/http"
	"strings"
)

// Failure makes matching requests fail before they reach the simulated
// endpoint, so tests can exercise the hub's handling of Chatwoot outages,
// revoked tokens and slow answers.
type Failure struct {
	Method     string // "" matches any method
	PathPrefix string // matched against the URL path
	Status     int    // answer status (ignored when Hang)
	Body       string // raw JSON body; empty picks Chatwoot's shape for Status
	Hang       bool   // never answer: block until the client gives up or Close
	Times      int    // how many requests to fail; 0 means 1, negative means until ClearFailures
}

type failure struct{ Failure }

// Fail installs f. Failures are checked in installation order.
func (s *Sim) Fail(f Failure) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.failures = append(s.failures, &failure{f})
	s.mu.Unlock()
}

// FailNext makes the next request under pathPrefix answer status.
func (s *Sim) FailNext(pathPrefix string, status int) {
	s.Fail(Failure{PathPrefix: pathPrefix, Status: status})
}

// HangNext makes the next request under pathPrefix never answer, to test
// client timeouts.
func (s *Sim) HangNext(pathPrefix string) { s.Fail(Failure{PathPrefix: pathPrefix, Hang: true}) }

// ClearFailures removes every pending failure.
func (s *Sim) ClearFailures() {
	s.mu.Lock()
	s.failures = nil
	s.mu.Unlock()
}

func (s *Sim) takeFailure(r *http.Request) *failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if (f.Method != "" && !strings.EqualFold(f.Method, r.Method)) || !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.failures = append(s.failures[:i], s.failures[i+1:]...)
			}
		}
		return f
	}
	return nil
}

func (s *Sim) applyFailure(w http.ResponseWriter, r *http.Request, f *failure) {
	if f.Hang {
		select {
		case <-r.Context().Done():
			return
		case <-s.closed:
			f = &failure{Failure{Status: http.StatusServiceUnavailable}}
		}
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	switch status {
	case http.StatusUnauthorized:
		writeReply(w, fromErr(errUnauthenticated()))
	case http.StatusNotFound:
		writeReply(w, fromErr(errNotFound()))
	default:
		writeReply(w, fromErr(errRails(status)))
	}
}
