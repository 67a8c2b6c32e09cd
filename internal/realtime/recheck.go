package realtime

import (
	"context"
	"time"

	"github.com/whatpro/hub/internal/httpx"
)

// track and untrack keep the set of sockets the recheck loop walks.
// track registers c for rechecks and for Stop, which closes every tracked
// socket; once the hub is stopping it refuses c (false).
func (h *Hub) track(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.stopped:
		return false
	default:
	}
	if h.conns == nil {
		h.conns = map[*conn]struct{}{}
	}
	h.conns[c] = struct{}{}
	return true
}

func (h *Hub) untrack(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
}

// Run re-checks every socket each RecheckEvery until ctx ends: the
// principal (revoked sessions, tokens and keys are cut within seconds),
// the membership and each topic's permission, whose filter it replaces.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.Cfg.RecheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.stopped:
			return
		case <-t.C:
			h.recheck(ctx)
		}
	}
}

type topicKey struct{ viewer, topic string }

type authResult struct {
	f   Filter
	err error
}

func (h *Hub) recheck(ctx context.Context) {
	h.mu.Lock()
	all := make([]*conn, 0, len(h.conns))
	for c := range h.conns {
		all = append(all, c)
	}
	h.mu.Unlock()
	// One round asks once per principal and once per (principal, topic).
	alive := map[string]*Viewer{}
	dead := map[string]error{}
	topics := map[topicKey]authResult{}
	for _, c := range all {
		if c.ctx.Err() != nil {
			continue
		}
		old := c.currentViewer()
		key := old.Key()
		v, ok := alive[key]
		err := dead[key]
		if !ok && err == nil {
			v, err = h.revalidate(ctx, old)
			if err != nil {
				dead[key] = err
			} else {
				alive[key] = v
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.kill(CloseRevoked, clip(httpx.AsError(err).Message))
			continue
		}
		c.viewerMu.Lock()
		c.viewer = v
		c.viewerMu.Unlock()
		c.mu.Lock()
		names := make([]string, 0, len(c.topics))
		for t := range c.topics {
			names = append(names, t)
		}
		c.mu.Unlock()
		for _, t := range names {
			k := topicKey{key, t}
			res, ok := topics[k]
			if !ok {
				a := h.authorizer(t)
				if a == nil {
					res.err = httpx.NotFound()
				} else {
					res.f, res.err = a.Authorize(ctx, v, t)
				}
				topics[k] = res
			}
			c.mu.Lock()
			if sb := c.topics[t]; sb != nil {
				if res.err != nil {
					delete(c.topics, t)
				} else {
					sb.filter = res.f
				}
			}
			c.mu.Unlock()
			if res.err != nil {
				e := httpx.AsError(res.err)
				c.sendJSON(map[string]any{"type": "unsubscribed", "topics": []string{t}, "code": e.Code, "message": e.Message})
			}
		}
	}
}

// revalidate re-resolves a viewer; a database hiccup keeps the old one.
func (h *Hub) revalidate(ctx context.Context, old *Viewer) (*Viewer, error) {
	if err := h.Principals.Revalidate(ctx, old.Principal); err != nil {
		if internal(err) {
			return old, nil
		}
		return nil, err
	}
	acc, err := h.Principals.ResolveAccess(ctx, old.Principal, old.AccountID)
	if err != nil {
		if internal(err) {
			return old, nil
		}
		return nil, err
	}
	return &Viewer{AccountID: old.AccountID, Principal: old.Principal, Access: acc}, nil
}

func internal(err error) bool { return httpx.AsError(err).Code == httpx.CodeInternal }
