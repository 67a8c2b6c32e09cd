package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/whatpro/hub/internal/httpx"
)

// Close codes the hub uses besides the standard ones.
const (
	closeGoingAway = websocket.StatusGoingAway
	// CloseSlow: the socket could not keep up and must resume.
	CloseSlow websocket.StatusCode = 4000
	// CloseRevoked: the session, token or key ended, or the membership did.
	CloseRevoked websocket.StatusCode = 4001
)

const (
	maxTopics     = 50
	maxMessage    = 16 << 10
	writeTimeout  = 10 * time.Second
	replayTimeout = 10 * time.Second
)

// sub is one live topic of a socket.
type sub struct {
	filter Filter
	from   int64 // events up to from were covered when it joined
}

// conn is one socket.
type conn struct {
	hub    *Hub
	ws     *websocket.Conn
	stream *stream
	ctx    context.Context
	cancel context.CancelFunc
	send   chan []byte

	viewerMu sync.Mutex
	viewer   *Viewer

	mu     sync.Mutex
	topics map[string]*sub

	killOnce sync.Once
	dead     atomic.Bool
}

func (c *conn) currentViewer() *Viewer {
	c.viewerMu.Lock()
	defer c.viewerMu.Unlock()
	return c.viewer
}

// offer queues a live event if a topic of c covers it (stream lock held).
func (c *conn) offer(w *wire) {
	c.mu.Lock()
	sb := c.topics[w.ev.Topic]
	ok := sb != nil && w.ev.Seq > sb.from && sb.filter(&w.ev)
	c.mu.Unlock()
	if ok {
		c.push(w.msg)
	}
}

// push queues a message without waiting; a full queue closes the socket
// (the client resumes from its last sequence), so one slow client never
// slows the others.
func (c *conn) push(msg []byte) bool {
	if c.dead.Load() {
		return false
	}
	select {
	case c.send <- msg:
		return true
	case <-c.ctx.Done():
		return false
	default:
		c.hub.slow.Inc()
		c.kill(CloseSlow, "too slow: resume with last_seq")
		return false
	}
}

// pushEphemeral drops instead of closing: ephemeral events may be lost.
func (c *conn) pushEphemeral(msg []byte) {
	if len(c.send) >= cap(c.send)/2 {
		return
	}
	select {
	case c.send <- msg:
	default:
	}
}

// pushWait queues a replayed message, waiting for room a while.
func (c *conn) pushWait(msg []byte) bool {
	t := time.NewTimer(replayTimeout)
	defer t.Stop()
	select {
	case c.send <- msg:
		return true
	case <-c.ctx.Done():
		return false
	case <-t.C:
		c.hub.slow.Inc()
		c.kill(CloseSlow, "too slow: resume with last_seq")
		return false
	}
}

func (c *conn) sendJSON(v any) bool {
	b, _ := json.Marshal(v)
	return c.pushWait(b)
}

func (c *conn) kill(code websocket.StatusCode, reason string) {
	c.dead.Store(true)
	c.killOnce.Do(func() {
		// The close frame goes first: cancelling the context would drop
		// the connection without it, and the client would not know why.
		go func() {
			_ = c.ws.Close(code, reason)
			c.cancel()
		}()
	})
}

// writeLoop writes queued messages and pings; a peer that does not answer
// a ping or take a write in time is dropped.
func (c *conn) writeLoop() {
	ping := time.NewTicker(c.hub.Cfg.PingEvery)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case msg := <-c.send:
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				c.kill(websocket.StatusAbnormalClosure, "write failed")
				return
			}
		case <-ping.C:
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`))
			if err == nil {
				err = c.ws.Ping(ctx)
			}
			cancel()
			if err != nil {
				c.kill(websocket.StatusPolicyViolation, "no answer to ping")
				return
			}
		}
	}
}

// clientMsg is everything a client may send.
type clientMsg struct {
	Type    string          `json:"type"`
	Topics  []string        `json:"topics,omitempty"`
	LastSeq *int64          `json:"last_seq,omitempty"`
	Topic   string          `json:"topic,omitempty"`
	Event   string          `json:"event,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// readLoop handles client messages until the socket ends.
func (c *conn) readLoop() {
	for {
		typ, raw, err := c.ws.Read(c.ctx)
		if err != nil {
			c.kill(websocket.StatusNormalClosure, "")
			return
		}
		if typ != websocket.MessageText {
			c.sendError("", httpx.CodeBadRequest, "messages are JSON text")
			continue
		}
		m, err := ParseClientMessage(raw)
		if err != nil {
			c.sendError("", httpx.CodeBadRequest, err.Error())
			continue
		}
		switch m.Type {
		case "subscribe":
			c.subscribe(m.Topics, m.LastSeq)
		case "unsubscribe":
			c.mu.Lock()
			for _, t := range m.Topics {
				delete(c.topics, t)
			}
			c.mu.Unlock()
			c.sendJSON(map[string]any{"type": "unsubscribed", "topics": m.Topics})
		case "ping":
			c.sendJSON(map[string]string{"type": "pong"})
		case "publish":
			c.publish(m)
		}
	}
}

func (c *conn) sendError(topic, code, msg string) {
	e := map[string]any{"type": "error", "code": code, "message": msg}
	if topic != "" {
		e["topic"] = topic
	}
	c.sendJSON(e)
}

// subscribe authorises each topic, replays what the client missed after
// lastSeq (or answers resync), then makes the topics live.
func (c *conn) subscribe(topics []string, lastSeq *int64) {
	v := c.currentViewer()
	// The position is read before the authorizers take their snapshot, so
	// a filter that tracks state (the chat's room memberships) is shown
	// every event committed after what its snapshot could have missed.
	from := c.stream.position()
	subs := map[string]*sub{}
	var names []string
	for _, t := range topics {
		a := c.hub.authorizer(t)
		if a == nil {
			c.sendError(t, httpx.CodeNotFound, "unknown topic")
			continue
		}
		f, err := a.Authorize(c.ctx, v, t)
		if err != nil {
			e := httpx.AsError(err)
			c.sendError(t, e.Code, e.Message)
			continue
		}
		if subs[t] == nil {
			names = append(names, t)
		}
		subs[t] = &sub{filter: f}
	}
	if len(subs) == 0 {
		return
	}
	if lastSeq != nil {
		resync, err := c.hub.needsResync(c.ctx, c.stream.accountID, *lastSeq)
		if err != nil {
			c.sendError("", httpx.CodeInternal, "internal error")
			return
		}
		if resync {
			c.hub.resyncs.Inc()
			c.sendJSON(map[string]any{"type": "resync", "topics": names})
			return
		}
		from = *lastSeq
	}
	for {
		// Replay from the table until the stream's ring can take over.
		for c.stream.position()-from > ringSize/2 {
			next, ok := c.replay(subs, names, from, c.stream.position())
			if !ok {
				return
			}
			from = next
		}
		covered, ok := c.stream.join(c, subs, from)
		if ok {
			if c.ctx.Err() == nil {
				c.sendJSON(map[string]any{"type": "subscribed", "topics": names, "seq": covered})
			}
			return
		}
		next, ok := c.replay(subs, names, from, c.stream.position())
		if !ok {
			return
		}
		from = next
	}
}

// replay sends the events of subs after from up to until and returns
// where it stopped.
func (c *conn) replay(subs map[string]*sub, names []string, from, until int64) (int64, bool) {
	evs, err := readEvents(c.ctx, c.hub.DB.R, c.stream.accountID, from, until, names)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			c.sendError("", httpx.CodeInternal, "internal error")
		}
		return 0, false
	}
	if len(evs) < batch {
		from = until
	}
	for i := range evs {
		e := &evs[i]
		if sb := subs[e.Topic]; sb != nil && sb.filter(e) {
			if !c.pushWait(encodeEvent(*e)) {
				return 0, false
			}
		}
		if len(evs) == batch {
			from = e.Seq
		}
	}
	return from, true
}

func (c *conn) publish(m clientMsg) {
	v := c.currentViewer()
	a := c.hub.authorizer(m.Topic)
	p, ok := a.(Publisher)
	if !ok || !validType(m.Event) || !p.MayPublish(c.ctx, v, m.Topic, m.Event) {
		c.sendError(m.Topic, httpx.CodeForbidden, "this topic takes no ephemeral events from you")
		return
	}
	data := map[string]any{}
	if len(m.Data) > 0 {
		if err := json.Unmarshal(m.Data, &data); err != nil {
			c.sendError(m.Topic, httpx.CodeBadRequest, "data must be a JSON object")
			return
		}
	}
	data["user_id"] = v.Principal.UserID
	scope := ""
	if sp, ok := a.(ScopedPublisher); ok {
		sc, send, err := sp.PublishScope(c.ctx, v, m.Topic, m.Event, data)
		if err != nil {
			e := httpx.AsError(err)
			c.sendError(m.Topic, e.Code, e.Message)
			return
		}
		if !send {
			return
		}
		scope = sc
	}
	if err := c.hub.EphemeralScoped(c.ctx, c.stream.accountID, m.Topic, scope, m.Event, data); err != nil {
		c.sendError(m.Topic, httpx.CodeBadRequest, err.Error())
	}
}
