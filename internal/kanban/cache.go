package kanban

import (
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// answerCache keeps encoded card lists for a moment. An answer depends on
// the account's sequence (any change appends an event), the viewer's
// scope and the query, and on the clock (stale flags, due filters), so an
// entry serves only the same sequence within cacheTTL. Many agents opening
// the same board at once then cost one query set.
type answerCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	flight  singleflight.Group
}

type cacheEntry struct {
	seq  int64
	at   time.Time
	body []byte
}

const (
	cacheTTL     = time.Second
	cacheEntries = 1024
)

func (c *answerCache) get(key string, seq int64, now time.Time) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.seq != seq || now.Sub(e.at) > cacheTTL || now.Before(e.at) {
		return nil
	}
	return e.body
}

func (c *answerCache) put(key string, seq int64, now time.Time, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= cacheEntries {
		c.entries = map[string]cacheEntry{} // dropping all is cheap and bounds memory
	}
	c.entries[key] = cacheEntry{seq: seq, at: now, body: body}
}
