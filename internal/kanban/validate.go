package kanban

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

var (
	currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
	colorRe    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	fieldKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

const maxValueCents = 1_000_000_000_000_00 // a trillion in any currency

// checker collects field errors so one answer names them all.
type checker struct{ bad []httpx.FieldError }

func (c *checker) add(field, msg string) {
	c.bad = append(c.bad, httpx.FieldError{Field: field, Message: msg})
}

func (c *checker) err() error {
	if len(c.bad) == 0 {
		return nil
	}
	return httpx.Invalid(c.bad...)
}

func (c *checker) text(field, v string, minLen, maxLen int) string {
	v = strings.TrimSpace(v)
	n := utf8.RuneCountInString(v)
	switch {
	case n < minLen && minLen == 1:
		c.add(field, "is required")
	case n < minLen || n > maxLen:
		c.add(field, fmt.Sprintf("must be %d to %d characters", minLen, maxLen))
	case strings.ContainsRune(v, 0):
		c.add(field, "must not contain NUL characters")
	}
	return v
}

func (c *checker) list(field string, v []string, maxItems, maxLen int) []string {
	if len(v) > maxItems {
		c.add(field, fmt.Sprintf("holds at most %d items", maxItems))
		return nil
	}
	out := []string{}
	for _, s := range v {
		s = strings.TrimSpace(s)
		if s == "" || utf8.RuneCountInString(s) > maxLen || strings.ContainsAny(s, "\x00\"\\") {
			c.add(field, fmt.Sprintf("items are 1 to %d characters, without quotes or backslashes", maxLen))
			return nil
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (c *checker) due(v string) *time.Time {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		c.add("due_at", "must be an RFC 3339 time such as 2026-05-01T18:00:00Z")
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

// members checks that every id is an active member of the account.
func members(ctx context.Context, q db.Querier, accountID string, ids []string, c *checker) {
	for _, id := range ids {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE account_id = $1 AND user_id = $2 AND status = 'active'`,
			accountID, id).Scan(&n); err != nil || n == 0 {
			c.add("assignee_ids", "must name members of the account")
			return
		}
	}
}

// customFields validates values against the board's definitions; a null
// value removes the field.
func customFields(defs []CustomField, cur, in map[string]any, c *checker) map[string]any {
	out := map[string]any{}
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range in {
		i := slices.IndexFunc(defs, func(d CustomField) bool { return d.Key == k })
		if i < 0 {
			c.add("custom_fields."+clipField(k), "is not a field of this board")
			continue
		}
		if v == nil {
			delete(out, k)
			continue
		}
		d := defs[i]
		ok := false
		switch d.Type {
		case "text":
			s, isStr := v.(string)
			ok = isStr && utf8.RuneCountInString(s) <= 2000 && !strings.ContainsRune(s, 0)
		case "number":
			_, ok = v.(float64)
		case "boolean":
			_, ok = v.(bool)
		case "date":
			s, isStr := v.(string)
			_, err := time.Parse("2006-01-02", s)
			ok = isStr && err == nil
		case "select":
			s, isStr := v.(string)
			ok = isStr && slices.Contains(d.Options, s)
		}
		if !ok {
			c.add("custom_fields."+k, "must be a valid "+d.Type)
			continue
		}
		out[k] = v
	}
	return out
}

func clipField(k string) string {
	if len(k) > 40 {
		return k[:40]
	}
	return k
}

// checkBoardFields validates a board's custom field definitions.
func checkBoardFields(defs []CustomField, c *checker) {
	if len(defs) > 50 {
		c.add("custom_fields", "at most 50 fields")
		return
	}
	seen := map[string]bool{}
	for _, d := range defs {
		if !fieldKeyRe.MatchString(d.Key) || seen[d.Key] {
			c.add("custom_fields", "keys are unique, lower case, start with a letter: "+clipField(d.Key))
			return
		}
		seen[d.Key] = true
		if !slices.Contains([]string{"text", "number", "date", "boolean", "select"}, d.Type) {
			c.add("custom_fields", "type must be text, number, date, boolean or select")
			return
		}
		if strings.TrimSpace(d.Label) == "" || utf8.RuneCountInString(d.Label) > 80 {
			c.add("custom_fields", "labels are 1 to 80 characters")
			return
		}
		if d.Type == "select" && (len(d.Options) == 0 || len(d.Options) > 100) {
			c.add("custom_fields", "a select field lists 1 to 100 options")
			return
		}
	}
}

// missingRequired names the required fields a card lacks for a stage.
func missingRequired(st *Stage, c *Card) []httpx.FieldError {
	var out []httpx.FieldError
	for _, f := range st.RequiredFields {
		missing := false
		switch f {
		case "value_cents":
			missing = c.ValueCents == 0
		case "due_at":
			missing = c.DueAt == nil
		case "contact":
			missing = c.Contact == nil
		case "assignee_ids":
			missing = len(c.AssigneeIDs) == 0
		default:
			_, has := c.CustomFields[strings.TrimPrefix(f, "custom_fields.")]
			missing = !has
		}
		if missing {
			out = append(out, httpx.FieldError{Field: f, Message: "is required in the stage " + st.Name})
		}
	}
	return out
}
