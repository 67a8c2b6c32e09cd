package intake

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/whatpro/hub/internal/httpx"
)

// Refusals limits failed deliveries per link (or provider), before
// authentication only: Chatwoot sends every tenant's webhooks from one
// address and never retries, and one Evolution server sends every number's
// from one too, so a per-address limit would drop authenticated events of
// busy tenants. An authenticated delivery never spends or waits for budget;
// only a link that keeps failing authentication is answered 429 (and
// logged less) instead of 401. Unknown and malformed link ids share one
// budget per source.
type Refusals struct {
	PerMinute int // default 600
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
}

const maxRefusalBuckets = 10000

var errRefusedTooOften = httpx.E(httpx.CodeRateLimited, "too many deliveries to this link failed authentication; retry in a minute")

// Spend takes one refusal from key's budget and reports whether it had
// any: false means answer 429 instead of 401.
func (f *Refusals) Spend(key string) bool {
	if f == nil {
		return true
	}
	per := f.PerMinute
	if per <= 0 {
		per = 600
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.buckets == nil || len(f.buckets) > maxRefusalBuckets {
		f.buckets = map[string]*rate.Limiter{}
	}
	l := f.buckets[key]
	if l == nil {
		l = rate.NewLimiter(rate.Every(time.Minute/time.Duration(per)), per/10+1)
		f.buckets[key] = l
	}
	return l.Allow()
}
