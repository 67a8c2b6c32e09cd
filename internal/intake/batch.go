package intake

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Group commit: concurrent Puts are written in one transaction (each
// event's insert, its executions and all their jobs in one batch insert),
// so a busy intake pays one commit for many events. Every caller still
// gets its answer only after the transaction holding its event committed:
// acknowledged means stored.

const maxBatch = 128

type manyEnqueuer interface {
	InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

type putReq struct {
	ctx     context.Context
	in      Incoming
	display []byte
	job     []byte
	out     Stored
	err     error
	done    chan struct{}
}

type batcher struct {
	once sync.Once
	reqs chan *putReq
}

// Writers is how many transactions Put runs at once (1 on SQLite, which
// has one writer; more on PostgreSQL). Zero means 1.
func (s *Store) writers() int {
	if s.Writers > 0 {
		return s.Writers
	}
	return 1
}

func (s *Store) submit(r *putReq) {
	s.batch.once.Do(func() {
		s.batch.reqs = make(chan *putReq, 4096)
		for range s.writers() {
			go s.loop()
		}
	})
	s.batch.reqs <- r
}

func (s *Store) loop() {
	for r := range s.batch.reqs {
		group := []*putReq{r}
	more:
		for len(group) < maxBatch {
			select {
			case r2 := <-s.batch.reqs:
				group = append(group, r2)
			default:
				break more
			}
		}
		s.writeGroup(group)
	}
}

// writeGroup writes the group in one transaction; when that fails, each
// event is written alone, so one event's failure is only its own.
func (s *Store) writeGroup(group []*putReq) {
	live := group[:0:0]
	for _, r := range group {
		if r.ctx.Err() != nil {
			r.err = r.ctx.Err()
			close(r.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.writeTx(ctx, tx, live) })
	if err != nil && len(live) > 1 {
		for _, r := range live {
			r.err = s.DB.Tx(ctx, func(tx *sql.Tx) error { return s.writeTx(ctx, tx, []*putReq{r}) })
			close(r.done)
		}
		return
	}
	for _, r := range live {
		r.err = err
		close(r.done)
	}
}

func (s *Store) writeTx(ctx context.Context, tx *sql.Tx, group []*putReq) error {
	now := nowOf(s.Now)
	var jobs []river.InsertManyParams
	many, batched := s.Jobs.(manyEnqueuer)
	for _, r := range group {
		out, consumers, err := s.insert(ctx, tx, r.in, r.display, r.job, now)
		if err != nil {
			return err
		}
		r.out = out
		if err := s.addExecutions(ctx, tx, r.in.AccountID, out.ID, consumers, now); err != nil {
			return err
		}
		for _, c := range consumers {
			args := ProcessArgs{ExecutionID: out.ID, Consumer: c}
			if !batched {
				if _, err := s.Jobs.InsertTx(ctx, tx, args, insertOpts(s.MaxAttempts)); err != nil {
					return err
				}
				continue
			}
			jobs = append(jobs, river.InsertManyParams{Args: args, InsertOpts: insertOpts(s.MaxAttempts)})
		}
	}
	if len(jobs) > 0 {
		if _, err := many.InsertManyTx(ctx, tx, jobs); err != nil {
			return err
		}
	}
	return nil
}
