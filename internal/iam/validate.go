package iam

import (
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

func (c *checks) text(field, v string, min, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	switch {
	case n < min && min == 1:
		c.add(field, "is required")
	case n < min:
		c.add(field, "must have at least "+itoa(min)+" characters")
	case n > max:
		c.add(field, "must have at most "+itoa(max)+" characters")
	}
}

func (c *checks) email(field, v string) {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != strings.TrimSpace(v) || len(v) > 254 || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@"):], ".") {
		c.add(field, "must be an email address such as ana@example.com")
	}
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
