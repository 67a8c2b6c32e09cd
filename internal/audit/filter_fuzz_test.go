package audit

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParseFilter feeds arbitrary query strings to the list filter parser:
// it must never panic, and whatever it accepts must be a usable filter.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"", "action=auth.*", "action=a*b", "actor_type=user&actor_id=u1",
		"from=2024-05-01T12:00:00Z&to=2024-05-02T00:00:00-03:00", "from=yesterday", "to=2024-13-01T00:00:00Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, bad := parseFilter(q)
		if len(bad) > 0 {
			return
		}
		if fl.ActorType != "" && !ValidActorType(fl.ActorType) {
			t.Fatalf("accepted actor_type %q", fl.ActorType)
		}
		if i := strings.IndexByte(fl.Action, '*'); i >= 0 && i != len(fl.Action)-1 {
			t.Fatalf("accepted action %q", fl.Action)
		}
		if !fl.From.IsZero() && !fl.To.IsZero() && !fl.From.Before(fl.To) {
			t.Fatalf("accepted from %v not before to %v", fl.From, fl.To)
		}
	})
}
