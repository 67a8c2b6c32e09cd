package db

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
)

// maxGroup bounds how many transactions share one SQLite commit, so the
// first of a group waits for at most that many others.
const maxGroup = 32

// group commits concurrent SQLite transactions together. SQLite has one
// writer and every commit writes each page it changed to the WAL again:
// under concurrency most of a small transaction's cost is its commit and
// the wait for the writer. So the first caller to find the writer free
// leads: it begins a transaction and runs its own fn; then each caller
// that queued meanwhile takes its turn in the same transaction, inside a
// savepoint (a failing fn rolls back only its own writes), on its own
// goroutine with its own context; one commit ends the group and every
// caller whose fn succeeded gets its outcome. Serial order is kept: each
// fn sees the writes of those before it, as if they had committed just
// before it began. The next queued caller then leads the next group.
type group struct {
	mu      sync.Mutex
	busy    bool // a leader holds the writer
	waiting []*member
}

type member struct {
	ctx   context.Context
	fn    func(*sql.Tx) error
	msg   chan signal // capacity 1: one message at a time, always read
	state atomic.Int32
}

const (
	queued int32 = iota
	taken
	abandoned
)

// signal is one message to a member: lead a group, take a turn in a
// group's transaction, or the outcome.
type signal struct {
	lead bool
	tx   *sql.Tx
	done chan<- error // where a turn reports its fn's result
	err  error
}

// errTurnPanicked is what the leader hears from a turn whose fn panicked;
// the panic itself goes on in the caller's goroutine.
var errTurnPanicked = errors.New("db: transaction function panicked")

func (d *DB) groupTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m := &member{ctx: ctx, fn: fn, msg: make(chan signal, 1)}
	g := &d.group
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		m.state.Store(taken)
		return d.lead(m)
	}
	g.waiting = append(g.waiting, m)
	g.mu.Unlock()
	cancel := ctx.Done()
	for {
		select {
		case s := <-m.msg:
			switch {
			case s.lead:
				return d.lead(m)
			case s.tx != nil:
				m.turn(s)
			default:
				return s.err
			}
		case <-cancel:
			if m.state.CompareAndSwap(queued, abandoned) {
				return ctx.Err()
			}
			cancel = nil // already taken: its outcome follows
		}
	}
}

// turn runs the member's fn in a group's transaction and reports the
// result; a panic is reported too and then goes on unrecovered.
func (m *member) turn(s signal) {
	finished := false
	defer func() {
		if !finished {
			s.done <- errTurnPanicked
		}
	}()
	err := m.fn(s.tx)
	finished = true
	s.done <- err
}

// take pops the next queued member for the leader's group, or nil.
func (g *group) take() *member {
	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.waiting) > 0 {
		m := g.waiting[0]
		g.waiting[0] = nil
		g.waiting = g.waiting[1:]
		if m.state.CompareAndSwap(queued, taken) {
			return m
		}
	}
	return nil
}

// handOff makes the next queued member the leader, or frees the writer.
func (g *group) handOff() {
	if m := g.take(); m != nil {
		m.msg <- signal{lead: true}
		return
	}
	g.mu.Lock()
	// take and this check are two steps: a member may have queued between
	// them, and then it must lead.
	if len(g.waiting) == 0 {
		g.busy = false
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	g.handOff()
}

// lead runs one group: the leader's fn first (without a savepoint: if it
// fails, nobody else has written yet), then the queued members' turns.
func (d *DB) lead(first *member) (err error) {
	g := &d.group
	// The group's transaction outlives any one caller's context; each fn's
	// statements still run under its own.
	tx, err := d.W.BeginTx(context.WithoutCancel(first.ctx), nil)
	if err != nil {
		g.handOff()
		return err
	}
	ended := false
	defer func() {
		if !ended { // the leader's fn panicked
			_ = tx.Rollback()
			g.handOff()
		}
	}()
	err = first.fn(tx)
	ended = true
	if err != nil {
		_ = tx.Rollback()
		d.preparePending(first.ctx)
		g.handOff()
		return err
	}
	var joined []*member
	done := make(chan error, 1)
	for len(joined) < maxGroup-1 {
		m := g.take()
		if m == nil {
			break
		}
		if err := m.ctx.Err(); err != nil {
			m.msg <- signal{err: err}
			continue
		}
		ferr, txerr := d.runTurn(tx, m, done)
		if txerr != nil {
			// The transaction is gone (SQLite rolled it back, or a savepoint
			// could not be set or released): nothing of the group is kept.
			_ = tx.Rollback()
			m.msg <- signal{err: txerr}
			for _, j := range joined {
				j.msg <- signal{err: txerr}
			}
			g.handOff()
			return txerr
		}
		if ferr != nil {
			m.msg <- signal{err: ferr}
			continue
		}
		joined = append(joined, m)
	}
	err = tx.Commit()
	for _, j := range joined {
		j.msg <- signal{err: err}
	}
	d.preparePending(first.ctx)
	g.handOff()
	return err
}

// runTurn gives m its turn inside a savepoint: ferr is its fn's error (its
// writes rolled back), txerr a failure of the group's transaction itself.
func (d *DB) runTurn(tx *sql.Tx, m *member, done chan error) (ferr, txerr error) {
	ctx := context.WithoutCancel(m.ctx)
	q := d.InTx(tx) // parsed once
	if _, err := q.ExecContext(ctx, "SAVEPOINT grp"); err != nil {
		return nil, err
	}
	m.msg <- signal{tx: tx, done: done}
	ferr = <-done
	if ferr != nil {
		if _, err := q.ExecContext(ctx, "ROLLBACK TO grp"); err != nil {
			return ferr, err
		}
	}
	if _, err := q.ExecContext(ctx, "RELEASE grp"); err != nil {
		return ferr, err
	}
	return ferr, nil
}
