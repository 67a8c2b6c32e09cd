package ops

import "github.com/prometheus/client_golang/prometheus"

// LatencyBuckets suit the hub's delivery paths (a webhook to Chatwoot, an
// event to a socket): from 5 ms to two minutes of retries.
var LatencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

// Meter is how a domain adds its counters and latency histograms to
// /metrics: names become whatpro_<subsystem>_<name>, histograms share
// LatencyBuckets, and the deploy/grafana dashboard reads them by those
// names. A nil Reg builds working metrics that are not exported (tests).
//
//	m := ops.Meter{Reg: registry, Subsystem: "gateway"}
//	msgs := m.Counter("messages_total", "Messages relayed by direction and outcome.", "direction", "outcome")
//	lat := m.Latency("delivery_seconds", "From receipt to delivery, by direction.", "direction")
type Meter struct {
	Reg       prometheus.Registerer
	Subsystem string
}

// Counter registers a counter vector.
func (m Meter) Counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "whatpro", Subsystem: m.Subsystem, Name: name, Help: help}, labels)
	m.register(c)
	return c
}

// Gauge registers a gauge vector.
func (m Meter) Gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "whatpro", Subsystem: m.Subsystem, Name: name, Help: help}, labels)
	m.register(g)
	return g
}

// Latency registers a histogram vector of seconds on LatencyBuckets.
func (m Meter) Latency(name, help string, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "whatpro", Subsystem: m.Subsystem, Name: name, Help: help,
		Buckets: LatencyBuckets}, labels)
	m.register(h)
	return h
}

func (m Meter) register(c prometheus.Collector) {
	if m.Reg != nil {
		m.Reg.MustRegister(c)
	}
}
