package iam

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/whatpro/hub/internal/httpx"
)

// RateLimits are the general per-minute limits: per IP for anonymous
// calls, per principal for authenticated ones. They live in memory: each
// instance enforces its share (login failures, which must be shared, are
// counted in the database instead).
type RateLimits struct {
	Anon, Auth int
	mu         sync.Mutex
	buckets    map[string]*bucket
	swept      time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewRateLimits builds limits of anon and auth requests per minute.
func NewRateLimits(anon, auth int) *RateLimits {
	return &RateLimits{Anon: anon, Auth: auth, buckets: map[string]*bucket{}}
}

func (l *RateLimits) anon() int {
	if l == nil {
		return 0
	}
	return l.Anon
}

// The rate-limit headers in canonical form, to be set without Header.Set.
var (
	hdrLimit     = http.CanonicalHeaderKey("X-RateLimit-Limit")
	hdrRemaining = http.CanonicalHeaderKey("X-RateLimit-Remaining")
	hdrReset     = http.CanonicalHeaderKey("X-RateLimit-Reset")
)

func (l *RateLimits) allow(w http.ResponseWriter, key string, perMinute int) error {
	if l == nil || perMinute <= 0 {
		return nil
	}
	now := time.Now()
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute)}
		l.buckets[key] = b
	}
	b.seen = now
	allowed := b.lim.AllowN(now, 1)
	remaining := int(b.lim.TokensAt(now))
	if now.Sub(l.swept) > time.Minute {
		for k, v := range l.buckets {
			if now.Sub(v.seen) > 2*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	l.mu.Unlock()
	// Reset: seconds until the bucket is full again.
	reset := int((float64(perMinute-max(remaining, 0)) * 60 / float64(perMinute)) + 0.999)
	// One backing array for the three values (h.Set would allocate one
	// slice each); each entry is capped so a later Add cannot share it.
	h := w.Header()
	v := [3]string{strconv.Itoa(perMinute), strconv.Itoa(max(remaining, 0)), strconv.Itoa(reset)}
	vals := v[:]
	h[hdrLimit], h[hdrRemaining], h[hdrReset] = vals[0:1:1], vals[1:2:2], vals[2:3:3]
	if !allowed {
		wait := int(60/float64(perMinute)) + 1
		h.Set("Retry-After", strconv.Itoa(wait))
		return httpx.E(httpx.CodeRateLimited, "too many requests; retry in "+strconv.Itoa(wait)+" seconds")
	}
	return nil
}
