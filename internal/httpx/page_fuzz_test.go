package httpx

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzParsePage: any ?limit= and ?cursor= either parse within bounds or
// give a validation error; never a panic, never a cursor with NUL.
func FuzzParsePage(f *testing.F) {
	f.Add("50", "")
	f.Add("0", "AA")
	f.Add("201", "%00")
	f.Add("-1", "not base64!")
	f.Fuzz(func(t *testing.T, limit, cursor string) {
		r := httptest.NewRequest("GET", "/?"+url.Values{"limit": {limit}, "cursor": {cursor}}.Encode(), nil)
		p, err := ParsePage(r)
		if err != nil {
			return
		}
		if p.Limit < 1 || p.Limit > 200 || len(p.After) > 200 {
			t.Fatalf("accepted %+v", p)
		}
		for _, c := range p.After {
			if c == 0 {
				t.Fatal("a NUL reached the cursor")
			}
		}
	})
}
