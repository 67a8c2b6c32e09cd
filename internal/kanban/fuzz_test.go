package kanban

import (
	"encoding/csv"
	"math"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseFilter: any query string parses or is refused, never panics,
// and what parses is within bounds.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "q=maria&label=vip&priority=high&due=week&value_min=10&value_max=20",
		"created_from=2026-01-01&created_to=2026-02-01T00:00:00Z&tz=America/Sao_Paulo", "tz=../../etc/passwd", "stale=true&status=lost",
		"assignee=me&contact_id=12", "q=%00", "label=%22x%22", "value_min=-1", "tz=Local"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := ParseFilter(q)
		if err != nil {
			return
		}
		if utf8.RuneCountInString(fl.Q) > 200 || strings.ContainsRune(fl.Q, 0) || strings.ContainsAny(fl.Label, "\"\\") {
			t.Fatalf("accepted %q", raw)
		}
		if fl.ValueMin != nil && *fl.ValueMin < 0 || fl.ContactID < 0 || fl.Loc == nil {
			t.Fatalf("accepted %q", raw)
		}
		if fl.Due != "" && !contains([]string{"overdue", "today", "week", "none"}, fl.Due) {
			t.Fatalf("due %q", fl.Due)
		}
	})
}

// FuzzParseCursor: cursors round-trip; garbage is refused.
func FuzzParseCursor(f *testing.F) {
	f.Add("", 1024.0, "0190a1b2-0000-7000-8000-000000000000")
	f.Add("MTAyNHxhYmM", -3.5, "x")
	f.Add("!!", math.SmallestNonzeroFloat64, "id|with|bars")
	f.Fuzz(func(t *testing.T, raw string, pos float64, id string) {
		_, _ = parseCursor(raw)
		if id == "" || len(id) > 64 || !utf8.ValidString(id) || strings.ContainsRune(id, 0) || math.IsNaN(pos) {
			return
		}
		c, err := parseCursor(columnCursor{Position: pos, ID: id}.encode())
		if err != nil || c.ID != id || c.Position != pos {
			t.Fatalf("round trip of %v %q: %+v %v", pos, id, c, err)
		}
	})
}

// FuzzBetween: a position is strictly inside its neighbours, or refused.
func FuzzBetween(f *testing.F) {
	f.Add(0.0, 1024.0)
	f.Add(1.0, 1.0+1e-7)
	f.Add(-1e308, 1e308)
	f.Add(5.0, 4.0)
	f.Fuzz(func(t *testing.T, a, b float64) {
		m, ok := between(a, b)
		if ok && !(m > a && m < b) {
			t.Fatalf("between(%v, %v) = %v", a, b, m)
		}
		if !ok && b-a > 1 && math.Abs(a) < 1e15 && math.Abs(b) < 1e15 {
			t.Fatalf("refused a wide gap %v..%v", a, b)
		}
	})
}

// FuzzCSVCell: no cell a spreadsheet would run as a formula; the text
// survives a CSV round trip.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"=1+1", "+55 11", "-", "@SUM(A1)", "\tx", "\rx", "plain", "a,b\"c\nd", "\x00=", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CSVCell(s)
		if out != "" && strings.ContainsRune("=+-@\t\r", rune(out[0])) {
			t.Fatalf("%q stays a formula: %q", s, out)
		}
		if strings.ContainsRune(out, 0) || !utf8.ValidString(out) {
			t.Fatalf("%q gives %q", s, out)
		}
		var b strings.Builder
		w := csv.NewWriter(&b)
		_ = w.Write([]string{out, "end"})
		w.Flush()
		rec, err := csv.NewReader(strings.NewReader(b.String())).Read()
		if err != nil || len(rec) != 2 || rec[0] != strings.ReplaceAll(out, "\r\n", "\n") && !strings.Contains(out, "\r") {
			t.Fatalf("csv round trip of %q: %v %v", out, rec, err)
		}
	})
}

// FuzzChatwootPayloads: the Kanban's readers of webhook payloads never
// panic and never accept a payload without its ids.
func FuzzChatwootPayloads(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"inbox_id":2,"status":"open","updated_at":1.5,"meta":{"sender":{"id":3,"name":"A","phone_number":"+55"}}}`,
		`{"id":9,"content":"hi","message_type":"incoming","created_at":"2026-05-01T12:00:00.000Z","conversation":{"id":1,"inbox_id":2}}`,
		`{"id":9,"created_at":1714564800,"conversation":{"id":1,"inbox_id":2,"meta":{"sender":{"id":-1}}}}`,
		`{"id":"1"}`, `[]`, `{"id":5,"name":null,"phone_number":null}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if c, err := parseConversation(raw); err == nil && (c.ID <= 0 || c.InboxID <= 0 || c.Meta.Sender != nil && c.Meta.Sender.ID <= 0) {
			t.Fatalf("conversation %+v", c)
		}
		if m, at, err := parseMessage(raw); err == nil {
			if m.ID <= 0 || m.Conversation == nil || m.Conversation.ID <= 0 || at.IsZero() {
				t.Fatalf("message %+v at %v", m, at)
			}
			if p := preview(m.Content); utf8.RuneCountInString(p) > 140 || strings.ContainsAny(p, "\x00\n") {
				t.Fatalf("preview %q", p)
			}
		}
		if c, err := parseContact(raw); err == nil && c.ID <= 0 {
			t.Fatalf("contact %+v", c)
		}
	})
}
