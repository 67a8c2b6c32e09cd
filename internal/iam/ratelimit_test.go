package iam_test

import (
	"strconv"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

func rateHeaders(t *testing.T, r *apptest.Resp) (limit, remaining, reset int) {
	t.Helper()
	var err error
	for _, h := range []struct {
		name string
		dst  *int
	}{{"X-RateLimit-Limit", &limit}, {"X-RateLimit-Remaining", &remaining}, {"X-RateLimit-Reset", &reset}} {
		if *h.dst, err = strconv.Atoi(r.Header.Get(h.name)); err != nil {
			t.Fatalf("%s = %q on a %d answer", h.name, r.Header.Get(h.name), r.Status)
		}
	}
	return limit, remaining, reset
}

func TestRateLimitHeaders(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{})
		s := h.LoginSuper()
		for _, r := range []*apptest.Resp{
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/version"}),
			h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: `{}`}).ExpectError(t, 400, "VALIDATION_ERROR"),
			h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: "bad"}).ExpectError(t, 401, "TOKEN_INVALID"),
		} {
			lim, rem, reset := rateHeaders(t, r)
			if lim != 100 || rem < 0 || rem > 99 || reset < 1 || reset > 60 {
				t.Errorf("anonymous %d answer: limit %d remaining %d reset %d", r.Status, lim, rem, reset)
			}
		}
		lim, rem, _ := rateHeaders(t, h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}))
		if lim != 1000 || rem > 999 {
			t.Errorf("authenticated: limit %d remaining %d, want 1000 and below", lim, rem)
		}
	})
}

func TestRateLimitAnonymous(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{Env: []string{"WHATPRO_RATE_LIMIT_ANON=3"}})
		// The bucket refills one request per 20 s, so the countdown is exact.
		s := h.LoginSuper()
		r := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/version"}).Expect(t, 200)
		if lim, rem, _ := rateHeaders(t, r); lim != 3 || rem != 1 {
			t.Errorf("second call: limit %d remaining %d, want 3 and 1", lim, rem)
		}
		// A failed authentication is an anonymous request.
		r = h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: "garbage"}).ExpectError(t, 401, "TOKEN_INVALID")
		if _, rem, reset := rateHeaders(t, r); rem != 0 || reset < 40 || reset > 60 {
			t.Errorf("third call: remaining %d reset %d, want 0 and about a minute", rem, reset)
		}
		r = h.Do(apptest.Req{Method: "POST", Path: "/api/v1/auth/login", Body: login(apptest.SuperEmail, apptest.SuperPassword)})
		r.ExpectError(t, 429, "RATE_LIMITED")
		if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if _, rem, _ := rateHeaders(t, r); rem != 0 {
			t.Errorf("remaining %d on a 429", rem)
		}
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/version"}).ExpectError(t, 429, "RATE_LIMITED")
		// Probes are never limited.
		h.Do(apptest.Req{Method: "GET", Path: "/healthz"}).Expect(t, 200)
		// An authenticated principal has its own budget.
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200)
	})
}

func TestRateLimitAuthenticated(t *testing.T) {
	each(t, func(t *testing.T, dialect string) {
		h := newHub(t, dialect, apptest.Options{Env: []string{"WHATPRO_RATE_LIMIT_AUTH=3"}})
		s := h.LoginSuper()
		acme := h.CreateAccount(s.Token, "Acme")                                            // 1
		other := h.NewMember(s.Token, acme.ID, "agent")                                     // 2
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: s.Token}).Expect(t, 200) // 3
		r := h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + acme.ID, Token: s.Token}).ExpectError(t, 429, "RATE_LIMITED")
		if r.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		// Another principal is not affected.
		h.Do(apptest.Req{Method: "GET", Path: "/api/v1/me", Token: other.Token}).Expect(t, 200)
	})
}
