package intake_test

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/intake"
)

// BenchmarkIntake measures the event spine on each database with the
// app's own store and dispatcher and a consumer that does nothing: "put"
// stores new message_created events from 32 concurrent senders (each
// answered after its commit), "work" works b.N stored events end to end.
//
//	go test -run '^$' -bench Intake -benchtime 5000x ./internal/intake/
func BenchmarkIntake(b *testing.B) {
	for _, dialect := range apptest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			h := apptest.New(b, dialect, apptest.Options{NoServer: true})
			a := h.App
			accountID := db.NewID()
			now := db.Now()
			if _, err := a.DB.W.ExecContext(context.Background(), `INSERT INTO accounts (id, name, status, created_at, updated_at)
				VALUES ($1, 'Bench', 'active', $2, $2)`, accountID, now); err != nil {
				b.Fatal(err)
			}
			var worked atomic.Int64
			if err := a.Dispatcher.Register("bench", intake.SourceChatwoot, "message_created", func(context.Context, *intake.Execution) error {
				worked.Add(1)
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			put := func(ctx context.Context) error {
				n := strconv.FormatInt(next.Add(1), 10)
				_, err := a.Intake.Put(ctx, intake.Incoming{AccountID: accountID, Source: intake.SourceChatwoot, SourceID: "bench-link",
					Event: "message_created", DedupeKey: "message_created:" + n,
					Payload: []byte(`{"event":"message_created","id":` + n + `,"content":"bench","message_type":"outgoing",` +
						`"account":{"id":1},"inbox":{"id":1},"conversation":{"id":1}}`)})
				return err
			}
			b.Run("put", func(b *testing.B) {
				b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := put(context.Background()); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
			b.Run("work", func(b *testing.B) {
				ctx := context.Background()
				// Work what "put" (or the previous round) left, then time
				// b.N more stored while the dispatcher was stopped.
				must(b, a.Dispatcher.Start(ctx))
				waitWorked(b, &worked, next.Load())
				must(b, a.Dispatcher.Stop(5*time.Second, time.Second))
				b.StopTimer()
				for range b.N {
					must(b, put(ctx))
				}
				target := next.Load()
				b.StartTimer()
				must(b, a.Dispatcher.Start(ctx))
				waitWorked(b, &worked, target)
				b.StopTimer()
				must(b, a.Dispatcher.Stop(5*time.Second, time.Second))
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		})
	}
}

// waitWorked polls until the consumer has worked target events, failing
// the benchmark if that takes longer than a loaded machine ever needs.
func waitWorked(b *testing.B, worked *atomic.Int64, target int64) {
	deadline := time.Now().Add(2 * time.Minute)
	for worked.Load() < target {
		if time.Now().After(deadline) {
			b.Fatalf("worked %d of %d events before the deadline", worked.Load(), target)
		}
		time.Sleep(time.Millisecond) // a poll interval
	}
}
