package iam

import (
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/httpx"
)

// checks collects field errors so a request reports all of them at once.
type checks []httpx.FieldError

func (c *checks) add(field, msg string) {
	*c = append(*c, httpx.FieldError{Field: field, Message: msg})
}

// addCode is add with the machine code and params clients translate.
func (c *checks) addCode(field, code, msg string, params ...any) {
	*c = append(*c, httpx.Field(field, code, msg, params...))
}

func (c *checks) text(field, v string, min, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	switch {
	case !cleanText(v):
		c.add(field, "must not contain NUL characters")
	case n < min && min == 1:
		c.addCode(field, httpx.FieldRequired, "is required")
	case n < min:
		c.addCode(field, httpx.FieldTooShort, "must have at least "+itoa(min)+" characters", "min", min)
	case n > max:
		c.addCode(field, httpx.FieldTooLong, "must have at most "+itoa(max)+" characters", "max", max)
	}
}

func (c *checks) email(field, v string) {
	a, err := mail.ParseAddress(v)
	if err != nil || !cleanText(v) || a.Address != strings.TrimSpace(v) || len(v) > 254 || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@"):], ".") {
		c.addCode(field, httpx.FieldBadEmail, "must be an email address such as ana@example.com")
	}
}

// cleanText reports whether s is valid UTF-8 without NUL: what both
// databases store as text (PostgreSQL refuses anything else).
func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// parsePage reads a list's limit and cursor. Cursors are ids of ours, so
// one that is not clean text was never returned by a list (and would fail
// the query on PostgreSQL).
func parsePage(r *http.Request) (httpx.PageParams, error) {
	p, err := httpx.ParsePage(r)
	if err == nil && !cleanText(p.After) {
		err = httpx.Invalid(httpx.FieldError{Field: "cursor", Message: "is not a cursor returned by this list"})
	}
	return p, err
}

func (c *checks) err() error {
	if len(*c) == 0 {
		return nil
	}
	return httpx.Invalid((*c)...)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
