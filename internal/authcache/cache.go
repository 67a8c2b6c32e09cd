// Package authcache keeps in memory what authorising a request reads
// (sessions, users, API keys, instance tokens, accounts, memberships,
// feature states, the credentials of Chatwoot webhook links) and forgets
// all of it as soon as any of those rows changes, on any instance and from
// any process (the whatpro CLI included).
//
// Changes are seen through database triggers (migrations auth_cache and webhook_link_cache): on
// PostgreSQL they NOTIFY the channel "whatpro_auth", which every hub
// LISTENs to; on SQLite they bump the auth_epoch row, which the hub reads
// again whenever PRAGMA data_version says another connection committed.
// Until the listener is connected (and again while it reconnects) every
// lookup misses, so a lost notification can never serve a stale answer.
// Writes made by this process also call Changed after they commit, so its
// own next request never waits for the notification.
package authcache

import (
	"sync"
	"sync/atomic"
	"time"
)

// Channel is the PostgreSQL notification channel of the triggers.
const Channel = "whatpro_auth"

// maxEntries bounds memory: past it the cache starts over.
const maxEntries = 100_000

// maxAge bounds how long an entry is trusted even if no change was heard.
const maxAge = time.Minute

type entry struct {
	v  any
	at time.Time
}

// Cache is safe for concurrent use. The nil *Cache is valid and caches
// nothing (tests and tools that build services by hand).
type Cache struct {
	mu  sync.RWMutex
	m   map[string]entry
	gen atomic.Uint64
	// live is false while changes cannot be heard (PostgreSQL listener
	// down): lookups miss and nothing is stored.
	live atomic.Bool

	sqlite *sqliteWatch
	hits   atomic.Uint64
	misses atomic.Uint64
}

// Gen returns the generation to pass to Put: read it before the database
// read whose result will be stored, so a change that lands in between
// keeps that (possibly stale) result out.
func (c *Cache) Gen() uint64 {
	if c == nil {
		return 0
	}
	return c.gen.Load()
}

// Get returns the value stored under key.
func (c *Cache) Get(key string) (any, bool) {
	if c == nil || !c.live.Load() {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || time.Since(e.at) > maxAge {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e.v, true
}

// Put stores v under key unless the cache changed since gen. Values are
// shared between requests and must not be modified after Put.
func (c *Cache) Put(gen uint64, key string, v any) {
	if c == nil || !c.live.Load() {
		return
	}
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return
	}
	if len(c.m) >= maxEntries {
		c.m = make(map[string]entry, 1024)
	}
	c.m[key] = entry{v: v, at: now}
}

// Changed forgets everything: call it after committing a change to a row
// the cache may hold.
func (c *Cache) Changed() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen.Add(1)
	c.m = make(map[string]entry, 1024)
	c.mu.Unlock()
}

// setLive turns the cache on or off; either way it starts empty.
func (c *Cache) setLive(on bool) {
	c.Changed()
	c.live.Store(on)
	c.Changed()
}

// Stats reports lookups served and missed since start.
func (c *Cache) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}

// Get is a typed Cache.Get.
func Get[T any](c *Cache, key string) (T, bool) {
	v, ok := c.Get(key)
	if !ok {
		var zero T
		return zero, false
	}
	t, ok := v.(T)
	return t, ok
}
