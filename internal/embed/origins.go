// Package embed owns what makes the hub safe to embed in Chatwoot: the
// allowed origins (from Chatwoot links and configuration), CORS on the
// routes Chatwoot pages call, the frame-ancestors policy of embed pages,
// the credential-free embed context and the dashboard script.
package embed

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Origins answers which origins may call or frame the hub. Link origins are
// read from the database and cached briefly; configured ones are fixed.
type Origins struct {
	DB     *db.DB
	Extra  []string // WHATPRO_CORS_ORIGINS (+ the dev console in development)
	TTL    time.Duration
	mu     sync.Mutex
	at     time.Time
	all    []string
	byAcct map[string][]string
}

func (o *Origins) load(ctx context.Context) ([]string, map[string][]string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ttl := o.TTL
	if ttl == 0 {
		ttl = 5 * time.Second
	}
	if o.byAcct != nil && time.Since(o.at) < ttl {
		return o.all, o.byAcct, nil
	}
	rows, err := o.DB.R.QueryContext(ctx, `SELECT account_id, origin, extra_origins FROM chatwoot_links`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	by := map[string][]string{}
	seen := map[string]bool{}
	var all []string
	add := func(acct, origin string) {
		origin = strings.ToLower(strings.TrimSuffix(origin, "/"))
		if acct != "" {
			by[acct] = append(by[acct], origin)
		}
		if !seen[origin] {
			seen[origin] = true
			all = append(all, origin)
		}
	}
	for rows.Next() {
		var acct, origin, extra string
		if err := rows.Scan(&acct, &origin, &extra); err != nil {
			return nil, nil, err
		}
		add(acct, origin)
		var more []string
		_ = json.Unmarshal([]byte(extra), &more)
		for _, m := range more {
			add(acct, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, e := range o.Extra {
		add("", e)
	}
	o.all, o.byAcct, o.at = all, by, time.Now()
	return all, by, nil
}

// Invalidate drops the cache (after a link changes on this instance).
func (o *Origins) Invalidate() {
	o.mu.Lock()
	o.byAcct = nil
	o.mu.Unlock()
}

// Allowed reports whether origin may call the hub's CORS routes.
func (o *Origins) Allowed(ctx context.Context, origin string) bool {
	if origin == "" || origin == "null" {
		return false
	}
	all, _, err := o.load(ctx)
	if err != nil {
		return false
	}
	origin = strings.ToLower(origin)
	for _, a := range all {
		if a == origin {
			return true
		}
	}
	return false
}

// ForAccount lists the origins that may frame the account's embed pages:
// its links' origins plus configured extras; all of them when accountID is
// empty. On error it answers none (fail closed).
func (o *Origins) ForAccount(ctx context.Context, accountID string) []string {
	all, by, err := o.load(ctx)
	if err != nil {
		return nil
	}
	if accountID == "" {
		return all
	}
	out := append([]string{}, by[accountID]...)
	for _, e := range o.Extra {
		out = append(out, strings.ToLower(e))
	}
	return out
}
