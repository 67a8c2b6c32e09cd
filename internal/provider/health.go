package provider

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/audit"
)

// check tests a provider, records its health and audits a change of
// status (also from the periodic check).
func (s *Service) check(ctx context.Context, p *Provider) (Health, error) {
	t, err := s.target(p)
	if err != nil {
		return Health{}, err
	}
	a, err := s.adapter(p)
	if err != nil {
		return Health{}, unsupported
	}
	h := a.Test(ctx, t)
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := setHealth(ctx, tx, p.AccountID, p.ID, h, now); err != nil {
			return err
		}
		if h.Status == p.HealthStatus {
			return nil
		}
		return s.IAM.Audit.Record(ctx, tx, audit.Entry{AccountID: p.AccountID, ActorType: "system", Action: "provider.health_changed",
			ResourceType: "provider", ResourceID: p.ID, Before: map[string]string{"status": p.HealthStatus},
			After: map[string]any{"status": h.Status, "details": h.Details, "latency_ms": h.LatencyMS}})
	})
	return h, err
}

// HealthArgs is the periodic health check of every provider.
type HealthArgs struct{}

// Kind names the job in River.
func (HealthArgs) Kind() string { return "provider.health" }

// HealthWorker checks every provider; one failing provider does not stop
// the others.
type HealthWorker struct {
	river.WorkerDefaults[HealthArgs]
	S *Service
}

// Work runs the checks.
func (w *HealthWorker) Work(ctx context.Context, _ *river.Job[HealthArgs]) error {
	list, err := allProviders(ctx, w.S.DB.R)
	if err != nil {
		return err
	}
	for _, p := range list {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if _, err := w.S.check(cctx, p); err != nil {
			w.S.Log.Warn("provider health check failed", "provider_id", p.ID, "error", err.Error())
		}
		cancel()
	}
	return nil
}

// HealthPeriodic checks providers every interval.
func HealthPeriodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return HealthArgs{}, nil },
		&river.PeriodicJobOpts{ID: "provider.health"})
}
