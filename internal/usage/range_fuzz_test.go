package usage

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// FuzzParseRange: from/to/metric either parse into a valid range of known
// metric or give a validation error; never a panic.
func FuzzParseRange(f *testing.F) {
	f.Add("2026-11-01", "2026-11-28", "api_requests")
	f.Add("2026-13-01", "", "")
	f.Add("2026-11-28", "2026-11-01", "nope")
	f.Fuzz(func(t *testing.T, from, to, metric string) {
		r := httptest.NewRequest("GET", "/?"+url.Values{"from": {from}, "to": {to}, "metric": {metric}}.Encode(), nil)
		f2, t2, m, err := parseRange(r)
		if err != nil {
			return
		}
		a, e1 := time.Parse("2006-01-02", f2)
		b, e2 := time.Parse("2006-01-02", t2)
		if e1 != nil || e2 != nil || b.Before(a) || b.Sub(a) > 366*24*time.Hour {
			t.Fatalf("accepted %q..%q", f2, t2)
		}
		if m != "" {
			known := false
			for _, n := range Names {
				known = known || n == m
			}
			if !known {
				t.Fatalf("accepted metric %q", m)
			}
		}
	})
}
