package gateway

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/db"
)

// A lane is an ordered queue of work: all of one WhatsApp chat's inbound
// messages ("in:<number>:<chat key>"), or all of one Chatwoot
// conversation's outbound messages ("out:<number>:<conversation id>").
// One River job drains a lane at a time, head first; an item that fails
// for a reason that may pass (Chatwoot or the provider down, the number
// disconnected) stays at the head, so nothing behind it overtakes it.

// LaneArgs drains one lane.
type LaneArgs struct {
	AccountID string `json:"account_id"`
	Lane      string `json:"lane"`
	// Epoch is set by the sweeper (minutes since 1970), so a drain job a
	// dead process left "running" does not block re-arming the lane.
	Epoch int64 `json:"epoch,omitempty"`
}

// Kind names the job in River.
func (LaneArgs) Kind() string { return "gateway.lane" }

// InsertOpts make one pending drain per lane: a second insert while one
// waits or runs is skipped (the running one drains what was added, the
// sweeper catches an item added as it finished).
func (LaneArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning,
		rivertype.JobStateScheduled}}}
}

// LaneWorker is the River worker of LaneArgs.
type LaneWorker struct {
	river.WorkerDefaults[LaneArgs]
	S *Service
}

// Work drains the lane.
func (w *LaneWorker) Work(ctx context.Context, job *river.Job[LaneArgs]) error {
	return w.S.drain(ctx, job.Args.Lane)
}

// SweepArgs re-arms lanes whose head is due (after a hold or backoff).
type SweepArgs struct{}

// Kind names the job in River.
func (SweepArgs) Kind() string { return "gateway.sweep" }

// SweepWorker is the River worker of SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	S *Service
}

// Work arms every due lane.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	lanes, err := readyLanes(ctx, w.S.DB.R, w.S.now(), 500)
	if err != nil {
		return err
	}
	for _, l := range lanes {
		if err := w.S.kick(ctx, l[0], l[1], w.S.now().Unix()/60); err != nil {
			return err
		}
	}
	return nil
}

// SweepPeriodic runs the sweeper every interval.
func SweepPeriodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return SweepArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// enqueue adds items to their lanes and arms each lane, in tx; it
// reports the lanes it armed (those that gained an item).
func (s *Service) enqueue(ctx context.Context, tx *sql.Tx, items []*work) ([]string, error) {
	armed := map[string]bool{}
	var lanes []string
	for _, w := range items {
		fresh, err := addWork(ctx, tx, w)
		if err != nil {
			return nil, err
		}
		if !fresh && (w.Kind == workInbound || w.Kind == workOutbound) {
			s.Metrics.count(directionOf(w.Kind), "duplicate")
		}
		if !fresh || armed[w.Lane] {
			continue
		}
		armed[w.Lane] = true
		lanes = append(lanes, w.Lane)
		if _, err := s.Jobs.InsertTx(ctx, tx, LaneArgs{AccountID: w.AccountID, Lane: w.Lane}, nil); err != nil {
			return nil, err
		}
	}
	return lanes, nil
}

// kick arms a lane outside any other write.
func (s *Service) kick(ctx context.Context, accountID, lane string, epoch int64) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := s.Jobs.InsertTx(ctx, tx, LaneArgs{AccountID: accountID, Lane: lane, Epoch: epoch}, nil)
		return err
	})
}

const (
	leaseFor   = 45 * time.Second
	staleAfter = 3 * time.Second // an event unhandled this long is not just being handled
)

// lease takes (or renews) the lane for owner unless another live drain
// holds it.
func (s *Service) lease(ctx context.Context, lane, owner string) (bool, error) {
	now := s.now()
	res, err := s.DB.W.ExecContext(ctx, `INSERT INTO gateway_lanes (lane, owner, lease_until) VALUES ($1, $2, $3)
		ON CONFLICT (lane) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		WHERE gateway_lanes.owner = excluded.owner OR gateway_lanes.lease_until < $4`, lane, owner, now.Add(leaseFor), now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s *Service) release(lane, owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = s.DB.W.ExecContext(ctx, `DELETE FROM gateway_lanes WHERE lane = $1 AND owner = $2`, lane, owner)
}

// holdError keeps the item at its lane's head without counting an attempt
// (a disconnected number, a missing inbox) until after.
type holdError struct {
	msg   string
	after time.Duration
}

func (e *holdError) Error() string { return e.msg }

func hold(after time.Duration, format string, args ...any) error {
	return &holdError{msg: fmt.Sprintf(format, args...), after: after}
}

// finalError ends the item dead at once.
type finalError struct{ err error }

func (e *finalError) Error() string { return e.err.Error() }
func (e *finalError) Unwrap() error { return e.err }

func final(err error) error { return &finalError{err} }

// backoff is exponential with full jitter, capped.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 12)
	d = min(d, maxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// drain runs the lane's items in order until it is empty or its head must
// wait.
func (s *Service) drain(ctx context.Context, lane string) error {
	owner := db.NewID()
	defer s.release(lane, owner)
	for {
		if ok, err := s.lease(ctx, lane, owner); err != nil || !ok {
			return err // another drain has the lane; it takes what was added
		}
		if err := ctx.Err(); err != nil {
			return nil // the sweeper resumes the lane
		}
		w, err := headOf(ctx, s.DB.R, lane)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		now := s.now()
		if wait := w.NextAt.Sub(now); wait > 0 {
			if wait > time.Second {
				return nil // a hold or a backoff: the sweeper arms it when due
			}
			// the settle time: waiting here beats River's scheduler,
			// which makes scheduled jobs available only every few seconds
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		err = s.gate(ctx, w)
		if errors.Is(err, errNotHead) {
			continue // an older event's item joined ahead of w: run that first
		}
		if err == nil {
			err = s.run(ctx, w)
		}
		now = s.now()
		var h *holdError
		var f *finalError
		switch {
		case err == nil:
			err = finishWork(ctx, s.DB.W, w, "done", "", now)
		case errors.As(err, &h):
			err = deferWork(ctx, s.DB.W, w, h.msg, now.Add(h.after), now)
			if err == nil {
				return nil
			}
		case errors.As(err, &f), w.Attempts+1 >= s.maxAttempts():
			w.Attempts++
			s.dead(ctx, w, err)
			err = finishWork(ctx, s.DB.W, w, "dead", err.Error(), now)
		default:
			w.Attempts++
			if s.Log != nil {
				s.Log.Warn("gateway work failed; retrying", "lane", lane, "work_id", w.ID, "attempt", w.Attempts, "error", clip(err.Error(), 300))
			}
			err = deferWork(ctx, s.DB.W, w, err.Error(), now.Add(backoff(w.Attempts)), now)
			if err == nil {
				return nil
			}
		}
		if err != nil {
			return err
		}
	}
}

// gate keeps an item from overtaking a message stored before it whose
// event is still being handled (concurrent jobs) or was left by a crash:
// it waits briefly for a fresh one, then holds the lane. Only events of
// the item's order key (its event's chat or conversation) or of none
// count, so one conversation's reply does not wait for another's events.
//
// Items join a lane when their event is handled, not when it arrived: a
// job rescued after a crash, or one that simply ran slower, adds its
// item after a newer event's item was read as the head. So once no older
// event is pending, the head is read again: an older event's item (lower
// seq) that joined meanwhile must run first (errNotHead). Reading the
// head after the backlog check closes the race: an event's items are
// committed before its execution is marked done.
func (s *Service) gate(ctx context.Context, w *work) error {
	if s.Backlog == nil || w.ExecutionID == "" || (w.Kind != workInbound && w.Kind != workOutbound) {
		return nil
	}
	source := "provider"
	if w.Kind == workOutbound {
		source = "chatwoot_inbox"
	}
	deadline := time.Now().Add(staleAfter)
	for {
		pending, err := s.Backlog.OlderPending(ctx, source, w.SourceID, w.OrderKey, w.ExecutionID)
		if err != nil {
			return err
		}
		if !pending {
			break
		}
		if time.Now().After(deadline) {
			return hold(time.Second, "an older event of this chat or conversation is not handled yet")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	head, err := headOf(ctx, s.DB.R, w.Lane)
	if err != nil {
		return err
	}
	if head.ID != w.ID {
		return errNotHead
	}
	return nil
}

// errNotHead: the item read as the head is no longer first in its lane.
var errNotHead = errors.New("an older item joined the lane ahead of this one")

// run performs one item.
func (s *Service) run(ctx context.Context, w *work) error {
	switch w.Kind {
	case workInbound:
		return s.runInbound(ctx, w)
	case workOutbound:
		return s.runOutbound(ctx, w)
	case workDelete:
		return s.runAgentDelete(ctx, w)
	}
	return final(fmt.Errorf("unknown work kind %q", w.Kind))
}

// Work kinds.
const (
	workInbound  = "inbound"
	workOutbound = "outbound"
	workDelete   = "agent_delete"
)
