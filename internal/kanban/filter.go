package kanban

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/httpx"
)

// Filter narrows a card list; every field is optional.
type Filter struct {
	StageID     string
	Assignee    string // a user id; "me" is resolved by the handler
	Label       string
	Priority    string
	Due         string // overdue | today | week | none
	ValueMin    *int64
	ValueMax    *int64
	CreatedFrom *time.Time
	CreatedTo   *time.Time
	Q           string
	Stale       *bool
	Status      string
	ContactID   int
	Loc         *time.Location
}

// ParseFilter reads a card list's query. Unknown values are a 400 that
// names the parameter; nothing reaches SQL unchecked.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Loc: time.UTC}
	chk := &checker{}
	word := func(name string, max int) string {
		v := strings.TrimSpace(q.Get(name))
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) || utf8.RuneCountInString(v) > max {
			chk.add(name, "must be text of at most "+strconv.Itoa(max)+" characters")
			return ""
		}
		return v
	}
	f.StageID = word("stage_id", 64)
	f.Assignee = word("assignee", 64)
	f.Label = word("label", 50)
	f.Q = word("q", 200)
	if f.Label != "" && strings.ContainsAny(f.Label, "\"\\") {
		chk.add("label", "labels hold no quotes or backslashes")
	}
	if p := q.Get("priority"); p != "" {
		if !contains(priorities, p) {
			chk.add("priority", "must be one of "+strings.Join(priorities, ", "))
		}
		f.Priority = p
	}
	if d := q.Get("due"); d != "" {
		if !contains([]string{"overdue", "today", "week", "none"}, d) {
			chk.add("due", "must be overdue, today, week or none")
		}
		f.Due = d
	}
	if st := q.Get("status"); st != "" {
		if !contains([]string{KindOpen, KindWon, KindLost}, st) {
			chk.add("status", "must be open, won or lost")
		}
		f.Status = st
	}
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || len(tz) > 64 || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") {
			chk.add("tz", "must be an IANA time zone such as America/Sao_Paulo")
		} else {
			f.Loc = loc
		}
	}
	money := func(name string) *int64 {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			chk.add(name, "must be a whole number of cents, 0 or more")
			return nil
		}
		return &n
	}
	f.ValueMin, f.ValueMax = money("value_min"), money("value_max")
	day := func(name string, end bool) *time.Time {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			t = t.UTC()
			return &t
		}
		t, err := time.ParseInLocation("2006-01-02", v, f.Loc)
		if err != nil {
			chk.add(name, "must be a date (2026-05-01) or an RFC 3339 time")
			return nil
		}
		if end {
			t = t.AddDate(0, 0, 1)
		}
		t = t.UTC()
		return &t
	}
	f.CreatedFrom, f.CreatedTo = day("created_from", false), day("created_to", true)
	if s := q.Get("stale"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			chk.add("stale", "must be true or false")
		}
		f.Stale = &b
	}
	if c := q.Get("contact_id"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n <= 0 {
			chk.add("contact_id", "must be a Chatwoot contact id")
		}
		f.ContactID = n
	}
	return f, chk.err()
}

// columnCursor is where a column's page ends: the last (position, id).
type columnCursor struct {
	Position float64
	ID       string
}

func (c columnCursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatFloat(c.Position, 'g', -1, 64) + "|" + c.ID))
}

// parseCursor reads a cursor this list returned.
func parseCursor(s string) (*columnCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := httpx.Invalid(httpx.FieldError{Field: "cursor", Message: "is not a cursor returned by this list"})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 120 {
		return nil, bad
	}
	p, id, ok := strings.Cut(string(raw), "|")
	pos, err := strconv.ParseFloat(p, 64)
	if !ok || err != nil || id == "" || len(id) > 64 || !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return nil, bad
	}
	return &columnCursor{Position: pos, ID: id}, nil
}

// likePattern is a LIKE pattern matching s anywhere, with LIKE's own
// characters escaped (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
