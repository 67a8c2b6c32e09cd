package realtime

import (
	"context"
	"time"
)

// Leaver is implemented by authorizers that want to hear when a viewer's
// last socket on this instance subscribed to one of their topics ends (the
// chat marks the person offline at once rather than when the heartbeat
// lapses). Another instance's socket of the same person renews its own
// status on its next heartbeat.
type Leaver interface {
	Left(ctx context.Context, v *Viewer, topic string)
}

// left tells each topic's Leaver that c ended, for the topics c was
// subscribed to that no other socket of the same person in the account
// still is on this instance. It runs after c left its stream; not when
// the hub is stopping.
func (h *Hub) left(c *conn) {
	select {
	case <-h.stopped:
		return // a restart: the sockets come back to the next instance
	default:
	}
	v := c.currentViewer()
	if v == nil || v.Principal == nil || v.Principal.UserID == "" {
		return
	}
	c.mu.Lock()
	topics := make([]string, 0, len(c.topics))
	for t := range c.topics {
		topics = append(topics, t)
	}
	c.mu.Unlock()
	for _, t := range topics {
		l, ok := h.authorizer(t).(Leaver)
		if !ok || c.stream.userOn(v.Principal.UserID, t) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		l.Left(ctx, v, t)
		cancel()
	}
}

// userOn reports whether a live socket of the user is subscribed to topic.
func (s *stream) userOn(userID, topic string) bool {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		if c.dead.Load() {
			continue
		}
		if v := c.currentViewer(); v == nil || v.Principal == nil || v.Principal.UserID != userID {
			continue
		}
		c.mu.Lock()
		_, on := c.topics[topic]
		c.mu.Unlock()
		if on {
			return true
		}
	}
	return false
}
