package gateway

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Lanes armed by a commit of this process are drained by it at once, on
// its own goroutines, instead of waiting for River to fetch their drain
// job: River's SQLite driver hears of new jobs by polling a table (50 ms),
// and both drivers fetch a queue at most once per cooldown (100 ms), which
// alone was most of the time a message spent in the hub.
//
// The River job stays the durable part: it was inserted in the same
// transaction as the items, so a crash before or during the quick drain
// leaves it to run. When it runs after a quick drain it finds the lane
// empty (or leased, and returns), so nothing runs twice: an item runs
// only under the lane's lease and ends done, dead or deferred.
type quickDrains struct {
	mu      sync.Mutex
	ctx     context.Context // cancelled by stop: drains end between items
	cancel  context.CancelFunc
	slots   chan struct{} // bounds concurrent quick drains; full: River's turn
	timeout time.Duration
	wg      sync.WaitGroup
}

// StartQuickDrains lets this process drain the lanes it arms, at most
// workers at a time, each for at most timeout. Until it is called (tests
// of the store alone, the CLI) River's drain jobs do all the draining.
func (s *Service) StartQuickDrains(workers int, timeout time.Duration) {
	q := &s.quick
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.slots != nil {
		return
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	q.slots, q.timeout = make(chan struct{}, max(workers, 1)), timeout
}

// StopQuickDrains lets running quick drains finish for up to soft, then
// cancels them and waits for them to return (their items stay at their
// lanes' heads for River's drain jobs).
func (s *Service) StopQuickDrains(soft time.Duration) {
	q := &s.quick
	q.mu.Lock()
	if q.slots == nil {
		q.mu.Unlock()
		return
	}
	q.slots = nil // no new ones
	cancel := q.cancel
	q.mu.Unlock()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(soft):
		cancel()
		<-done
	}
	cancel()
}

// enqueueNow adds items to their lanes in one transaction and, once it
// committed, drains the lanes it armed.
func (s *Service) enqueueNow(ctx context.Context, items []*work) error {
	var lanes []string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		lanes, err = s.enqueue(ctx, tx, items)
		return err
	})
	if err != nil {
		return err
	}
	for _, lane := range lanes {
		s.drainSoon(lane)
	}
	return nil
}

// drainSoon drains lane on a goroutine of this process if a slot is free;
// else River's drain job, already inserted, does it.
func (s *Service) drainSoon(lane string) {
	q := &s.quick
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.slots == nil {
		return
	}
	select {
	case q.slots <- struct{}{}:
	default:
		return
	}
	slots, qctx, timeout := q.slots, q.ctx, q.timeout
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		defer func() { <-slots }()
		ctx, cancel := context.WithTimeout(qctx, timeout)
		defer cancel()
		if err := s.drain(ctx, lane); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Warn("gateway lane drain failed; its job will retry", "lane", lane, "error", clip(err.Error(), 300))
		}
	}()
}
