package providersim

import (
	"net/http"
	"strings"
)

// Failure makes matching requests fail before they reach the simulated
// endpoint, so tests can exercise the hub's handling of outages, revoked
// credentials and slow answers.
type Failure struct {
	Method     string // "" matches any method
	PathPrefix string // matched against the URL path
	Status     int    // answer status (ignored when Hang); 0 means 500
	Body       string // raw body; empty picks the provider's error shape for Status
	Hang       bool   // never answer: block until the client gives up or Close
	Times      int    // how many requests to fail; 0 means 1, negative means until ClearFailures
}

type failure struct{ Failure }

// Fail installs f. Failures are checked in installation order.
func (c *core) Fail(f Failure) {
	if f.Times == 0 {
		f.Times = 1
	}
	c.recMu.Lock()
	c.failures = append(c.failures, &failure{f})
	c.recMu.Unlock()
}

// FailNext makes the next request under pathPrefix answer status with the
// provider's error envelope.
func (c *core) FailNext(pathPrefix string, status int) {
	c.Fail(Failure{PathPrefix: pathPrefix, Status: status})
}

// HangNext makes the next request under pathPrefix block until the
// request's context ends (the client timed out or went away) or Close.
func (c *core) HangNext(pathPrefix string) { c.Fail(Failure{PathPrefix: pathPrefix, Hang: true}) }

// ClearFailures removes every pending failure.
func (c *core) ClearFailures() {
	c.recMu.Lock()
	c.failures = nil
	c.recMu.Unlock()
}

func (c *core) takeFailure(r *http.Request) *failure {
	c.recMu.Lock()
	defer c.recMu.Unlock()
	for i, f := range c.failures {
		if (f.Method != "" && !strings.EqualFold(f.Method, r.Method)) || !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				c.failures = append(c.failures[:i], c.failures[i+1:]...)
			}
		}
		return f
	}
	return nil
}

func (c *core) applyFailure(w http.ResponseWriter, r *http.Request, f *failure, errBody func(int) any) {
	status := f.Status
	if f.Hang {
		select {
		case <-r.Context().Done():
			return
		case <-c.closed:
			status = http.StatusServiceUnavailable
		}
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
		return
	}
	writeJSON(w, status, errBody(status))
}
