package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/db"
)

// Metrics counts worked jobs by kind and outcome and reports the queue's
// jobs by state at scrape time.
type Metrics struct {
	river.MiddlewareDefaults
	worked   *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the job metrics on reg; the state gauge reads d.
func NewMetrics(reg prometheus.Registerer, d *db.DB) *Metrics {
	m := &Metrics{
		worked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whatpro_jobs_worked_total",
			Help: "Jobs worked by kind and outcome (ok or error).",
		}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "whatpro_job_duration_seconds",
			Help: "Time spent working a job, by kind.",
		}, []string{"kind"}),
	}
	reg.MustRegister(m.worked, m.duration, &stateCollector{d: d})
	return m
}

// Work is River worker middleware.
func (m *Metrics) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	start := time.Now()
	err := doInner(ctx)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.worked.WithLabelValues(job.Kind, outcome).Inc()
	m.duration.WithLabelValues(job.Kind).Observe(time.Since(start).Seconds())
	return err
}

var stateDesc = prometheus.NewDesc("whatpro_jobs", "Jobs in the queue by state.", []string{"state"}, nil)

type stateCollector struct{ d *db.DB }

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) { ch <- stateDesc }

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.d.R.QueryContext(ctx, `SELECT state, count(*) FROM river_job GROUP BY state`)
	if err != nil {
		return // the queue is unreadable: readiness reports it, metrics stay quiet
	}
	defer rows.Close()
	counts := map[string]float64{}
	for _, s := range []string{"available", "scheduled", "running", "retryable", "completed", "cancelled", "discarded", "pending"} {
		counts[s] = 0
	}
	for rows.Next() {
		var state string
		var n float64
		if rows.Scan(&state, &n) == nil {
			counts[state] = n
		}
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(stateDesc, prometheus.GaugeValue, n, state)
	}
}
