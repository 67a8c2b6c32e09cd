package realtime

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// ringSize is how many recent events a stream keeps in memory, so that a
// subscription can join the live flow without a gap (older ones are read
// from the table); small, since every account with a socket has a ring.
const ringSize = 256

// batch is how many rows one read of the events table takes.
const batch = 1000

// stream is one account's flow on this instance: one reader of the events
// table, whatever the number of sockets.
type stream struct {
	hub       *Hub
	accountID string
	wake      chan struct{}
	refs      int // sockets holding the stream (under hub.mu)

	mu     sync.Mutex
	pos    int64 // every event up to pos was offered to the sockets
	ring   []*wire
	conns  map[*conn]struct{}
	closed bool
}

func (s *stream) poke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *stream) position() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

func (s *stream) run() {
	defer s.hub.wg.Done()
	tick := time.NewTicker(s.hub.Cfg.PollEvery)
	defer tick.Stop()
	for {
		select {
		case _, ok := <-s.wake:
			if !ok {
				return
			}
		case <-tick.C:
			head, _, err := heads(context.Background(), s.hub.DB.R, s.accountID)
			if err != nil || head <= s.position() {
				continue
			}
		case <-s.hub.stopped:
			return
		}
		s.pump()
	}
}

// pump reads what was committed after pos and offers it to the sockets.
func (s *stream) pump() {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		evs, err := readEvents(ctx, s.hub.DB.Reads(), s.accountID, s.position(), 0, nil)
		cancel()
		if err != nil {
			s.hub.Log.Warn("realtime: read events", "account_id", s.accountID, "error", err.Error())
			return
		}
		if len(evs) == 0 {
			return
		}
		s.mu.Lock()
		now := time.Now()
		for _, e := range evs {
			if e.Seq <= s.pos {
				continue
			}
			s.hub.events.WithLabelValues(e.Type).Inc()
			s.hub.delivery.Observe(max(now.Sub(e.CreatedAt), 0).Seconds())
			w := &wire{ev: e, msg: encodeEvent(e)}
			s.ring = append(s.ring, w)
			for c := range s.conns {
				c.offer(w)
			}
			s.pos = e.Seq
		}
		if len(s.ring) > ringSize {
			s.ring = append(s.ring[:0:0], s.ring[len(s.ring)-ringSize:]...)
		}
		s.mu.Unlock()
		if len(evs) < batch {
			return
		}
	}
}

// readEvents reads up to batch events after seq (up to until when > 0),
// only of topics when given.
func readEvents(ctx context.Context, q db.Querier, accountID string, after, until int64, topics []string) ([]Event, error) {
	query := `SELECT seq, type, topic, scope, data, created_at FROM events WHERE account_id = $1 AND seq > $2
		AND ($3 = 0 OR seq <= $3)`
	args := []any{accountID, after, until}
	if len(topics) > 0 {
		query += ` AND topic IN (`
		for i, t := range topics {
			if i > 0 {
				query += `, `
			}
			args = append(args, t)
			query += `$` + itoa(len(args))
		}
		query += `)`
	}
	query += ` ORDER BY seq LIMIT ` + itoa(batch)
	rows, err := q.QueryContext(ctx, query, args...)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (Event, error) {
		e := Event{AccountID: accountID}
		var data string
		err := r.Scan(&e.Seq, &e.Type, &e.Topic, &e.Scope, &data, &e.CreatedAt)
		e.Data = []byte(data)
		return e, err
	})
}

// join adds subs to c once every event up to the stream's position has
// been sent: what the ring holds after from, then live. It answers the
// position the subscription covers, or ok=false when the ring does not
// reach back to from (the caller replays more from the table first).
func (s *stream) join(c *conn, subs map[string]*sub, from int64) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if from < s.pos && (len(s.ring) == 0 || s.ring[0].ev.Seq > from+1) {
		return 0, false
	}
	for _, w := range s.ring {
		if w.ev.Seq <= from {
			continue
		}
		if sb := subs[w.ev.Topic]; sb != nil && sb.filter(&w.ev) {
			if !c.push(w.msg) {
				return 0, true // c is being closed as slow
			}
		}
	}
	covered := max(s.pos, from)
	c.mu.Lock()
	for t, sb := range subs {
		sb.from = covered
		c.topics[t] = sb
	}
	c.mu.Unlock()
	s.conns[c] = struct{}{}
	return covered, true
}

func (s *stream) leave(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func itoa(n int) string { return strconv.Itoa(n) }
