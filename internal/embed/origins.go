// Package embed owns what makes the hub safe to embed in Chatwoot: the
// allowed origins (from Chatwoot links and configuration), CORS on the
// routes Chatwoot pages call, the frame-ancestors policy of embed pages,
// the credential-free embed context and the dashboard script.
package embed

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Origins answers which origins may call or frame the hub. Link origins are
// read from the database and cached briefly; configured ones are fixed.
// Every origin is canonical (httpx.ParseOrigin), so comparing strings is
// comparing origins.
type Origins struct {
	DB     *db.DB
	Extra  []string // WHATPRO_CORS_ORIGINS (+ the dev console in development)
	TTL    time.Duration
	mu     sync.Mutex
	at     time.Time
	all    map[string]bool
	byAcct map[string][]string
}

func (o *Origins) load(ctx context.Context) (map[string]bool, map[string][]string, error) {
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
	all := map[string]bool{}
	add := func(acct, origin string) {
		// Stored origins were validated when written; one that no longer
		// parses is left out rather than written into a policy.
		canon := httpx.CanonicalOrigin(origin)
		if canon == "" {
			return
		}
		if acct != "" && !slices.Contains(by[acct], canon) {
			by[acct] = append(by[acct], canon)
		}
		all[canon] = true
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

// Allowed reports whether origin may call the hub's CORS routes: it is the
// origin of some linked Chatwoot or a configured one. Which account a
// credential from it may act for is BelongsTo's question.
func (o *Origins) Allowed(ctx context.Context, origin string) bool {
	canon := httpx.CanonicalOrigin(origin)
	if canon == "" || canon != origin {
		return false // browsers send origins canonically; anything else is no browser's
	}
	all, _, err := o.load(ctx)
	return err == nil && all[canon]
}

// BelongsTo reports whether origin is one of the account's own origins
// (its link's origin and extra origins) or a configured one.
func (o *Origins) BelongsTo(ctx context.Context, origin, accountID string) bool {
	canon := httpx.CanonicalOrigin(origin)
	return canon != "" && slices.Contains(o.ForAccount(ctx, accountID), canon)
}

// ForAccount lists the origins that may frame the account's embed pages:
// its link's origins plus the configured ones. Without an account it is
// the configured ones only: no page lists another tenant's origins. On
// error it answers none (fail closed).
func (o *Origins) ForAccount(ctx context.Context, accountID string) []string {
	_, by, err := o.load(ctx)
	if err != nil {
		return nil
	}
	out := []string{}
	if accountID != "" {
		out = append(out, by[accountID]...)
	}
	for _, e := range o.Extra {
		if c := httpx.CanonicalOrigin(e); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
