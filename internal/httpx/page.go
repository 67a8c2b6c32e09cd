package httpx

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Page is a list answer: {"data":[…],"pagination":{"has_more","next_cursor"}}.
type Page[T any] struct {
	Data       []T        `json:"data"`
	Pagination Pagination `json:"pagination"`
}

// Pagination tells whether more rows follow and how to ask for them.
type Pagination struct {
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// PageParams are the parsed ?limit= and ?cursor= of a list request. The
// cursor is opaque to clients; stores use After (the last id seen, ids
// being time-ordered UUIDv7 or other sortable keys).
type PageParams struct {
	Limit int
	After string
}

// ParsePage reads limit (default 50, max 200) and cursor.
func ParsePage(r *http.Request) (PageParams, error) {
	p := PageParams{Limit: 50}
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return p, Invalid(Field("limit", FieldOutOfRange, "must be a whole number from 1 to 200", "min", 1, "max", 200))
		}
		p.Limit = n
	}
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || len(raw) == 0 || len(raw) > 200 || !utf8.Valid(raw) || strings.ContainsRune(string(raw), 0) {
			return p, Invalid(FieldError{Field: "cursor", Message: "is not a cursor returned by this list"})
		}
		p.After = string(raw)
	}
	return p, nil
}

// NewPage builds the answer from up to Limit+1 rows fetched by the store:
// the extra row only says that more exist.
func NewPage[T any](rows []T, p PageParams, key func(T) string) Page[T] {
	if rows == nil {
		rows = []T{}
	}
	if len(rows) <= p.Limit {
		return Page[T]{Data: rows}
	}
	rows = rows[:p.Limit]
	return Page[T]{Data: rows, Pagination: Pagination{
		HasMore:    true,
		NextCursor: base64.RawURLEncoding.EncodeToString([]byte(key(rows[len(rows)-1]))),
	}}
}
