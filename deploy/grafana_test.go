package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/whatpro/hub/internal/apptest"
)

var metricName = regexp.MustCompile(`\bwhatpro_[a-z_]+`)

// Every metric the Grafana dashboard charts is one the hub registers, so
// a renamed metric fails here rather than as an empty panel.
func TestGrafanaDashboardChartsRegisteredMetrics(t *testing.T) {
	raw, err := os.ReadFile("grafana/whatpro-hub.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	var names []string
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, n := range metricName.FindAllString(tg.Expr, -1) {
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					n = strings.TrimSuffix(n, suffix)
				}
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("only %d metrics charted: %v", len(names), names)
	}
	h := apptest.New(t, "sqlite", apptest.Options{NoServer: true})
	for _, n := range names {
		// Registering a collector of a name the hub already registered
		// fails; one that succeeds names a metric nobody exports.
		probe := prometheus.NewGauge(prometheus.GaugeOpts{Name: n, Help: "probe"})
		if err := h.App.Registry.Register(probe); err == nil {
			h.App.Registry.Unregister(probe)
			t.Errorf("the dashboard charts %s, which the hub does not register", n)
		}
	}
}
