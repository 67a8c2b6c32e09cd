package gateway

import (
	"encoding/binary"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/whatpro/hub/internal/ops"
)

// Metrics are the gateway's series on /metrics:
// whatpro_gateway_messages_total{direction,outcome} and
// whatpro_gateway_delivery_seconds{direction}. direction is "inbound"
// (WhatsApp → Chatwoot) or "outbound" (Chatwoot → WhatsApp); outcome is
// delivered (in Chatwoot) or sent (accepted by the provider), failed (an
// agent's message the provider refused for good), duplicate (a copy the
// message map dropped) or dead. Delivery runs from the moment the hub
// stored the provider webhook or the inbox callback to the message
// created in Chatwoot or the provider accepting the send.
type Metrics struct {
	messages *prometheus.CounterVec
	delivery *prometheus.HistogramVec
}

// NewMetrics registers the gateway's metrics on reg (nil: unexported).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := ops.Meter{Reg: reg, Subsystem: "gateway"}
	return &Metrics{
		messages: m.Counter("messages_total", "Messages relayed, by direction (inbound: WhatsApp to Chatwoot; outbound: Chatwoot to WhatsApp) and outcome.",
			"direction", "outcome"),
		delivery: m.Latency("delivery_seconds", "From the stored provider webhook or inbox callback to the message in Chatwoot or accepted by the provider, by direction.",
			"direction"),
	}
}

func (m *Metrics) count(direction, outcome string) {
	if m != nil {
		m.messages.WithLabelValues(direction, outcome).Inc()
	}
}

// delivered counts a delivered message and observes its latency from the
// stored event: an event's id is a UUIDv7 minted as the intake stored it,
// so its first 48 bits are that moment in Unix milliseconds.
func (m *Metrics) delivered(direction, outcome, executionID string, now time.Time) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(direction, outcome).Inc()
	u, err := uuid.Parse(executionID)
	if err != nil || u.Version() != 7 {
		return
	}
	at := time.UnixMilli(int64(binary.BigEndian.Uint64(u[:8]) >> 16))
	m.delivery.WithLabelValues(direction).Observe(max(now.Sub(at), 0).Seconds())
}

func directionOf(kind string) string {
	if kind == workInbound {
		return "inbound"
	}
	return "outbound"
}
