package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/httpx"
)

// opt is a JSON field that may be absent, null or a value, so a PATCH can
// tell "leave it" from "clear it".
type opt[T any] struct {
	Set   bool
	Null  bool
	Value T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

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

// text trims v and checks its length in runes and that it is clean.
func (c *checker) text(field, v string, minLen, maxLen int) string {
	v = strings.TrimSpace(v)
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		c.add(field, "must be text without NUL characters")
	case n < minLen && minLen == 1:
		c.add(field, "is required")
	case n < minLen || n > maxLen:
		c.add(field, fmt.Sprintf("must be %d to %d characters", minLen, maxLen))
	}
	return v
}

// ids checks a list of ids: at most maxItems, each a short clean string;
// duplicates are dropped, the order kept.
func (c *checker) ids(field string, v []string, maxItems int) []string {
	if len(v) > maxItems {
		c.add(field, fmt.Sprintf("holds at most %d ids", maxItems))
		return nil
	}
	out := []string{}
	for _, s := range v {
		if !validID(s) {
			c.add(field, "must hold ids")
			return nil
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// roomInput is the body of room create and update.
type roomInput struct {
	Type      string      `json:"type"`
	Name      opt[string] `json:"name"`
	Topic     opt[string] `json:"topic"`
	MemberIDs []string    `json:"member_ids"`
	Archived  opt[bool]   `json:"archived"`
}

// messageInput is the body of a send.
type messageInput struct {
	Content        string   `json:"content"`
	EchoID         *string  `json:"echo_id"`
	ReplyToID      *string  `json:"reply_to_id"`
	MentionIDs     []string `json:"mention_ids"`
	AttachmentIDs  []string `json:"attachment_ids"`
	ConversationID *int     `json:"conversation_id"`
}

// content validates a message body: text of 1 to maxContent runes (may
// be empty when the message has attachments or a conversation).
func (c *checker) content(v string, allowEmpty bool) string {
	if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		c.add("content", "must be text without NUL characters")
		return v
	}
	v = strings.TrimRight(v, " \t\r\n")
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0 && !allowEmpty:
		c.add("content", "is required")
	case n > maxContent:
		c.add("content", fmt.Sprintf("must be at most %d characters", maxContent))
	}
	return v
}
