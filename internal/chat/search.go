package chat

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

const maxTerms = 10

// SearchTerms splits a query into folded words of letters and digits (at
// most 10, each at most 64 bytes): the only thing either database's
// full-text syntax ever sees, so no query can break out of it.
func SearchTerms(q string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(fold(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) > 64 {
			w = w[:64]
			for len(w) > 0 && !validUTF8End(w) {
				w = w[:len(w)-1]
			}
		}
		if w != "" && !contains(out, w) {
			out = append(out, w)
		}
		if len(out) == maxTerms {
			break
		}
	}
	return out
}

func validUTF8End(s string) bool { return strings.ToValidUTF8(s, "") == s }

// matchSQL is the full-text condition on m per dialect, and how a term
// is written in its query language (every term a prefix).
var matchSQL = map[db.Dialect]struct {
	cond string
	term func(string) string
	join string
}{
	db.Postgres: {`m.search_vector @@ to_tsquery('simple', $3)`, func(t string) string { return t + ":*" }, " & "},
	db.SQLite:   {`m.rowid IN (SELECT rowid FROM chat_messages_fts WHERE chat_messages_fts MATCH $3)`, func(t string) string { return `"` + t + `"*` }, " AND "},
}

// Search finds messages with every word of ?q= (as word prefixes, case and
// accents ignored) in the rooms the caller belongs to, newest first;
// ?room_id= narrows to one room; paged by cursor.
func (s *Service) Search(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	terms := SearchTerms(q.Get("q"))
	if len(terms) == 0 {
		return httpx.Invalid(httpx.FieldError{Field: "q", Message: "give at least one word to search for"})
	}
	room := q.Get("room_id")
	if room != "" && !validID(room) {
		return httpx.Invalid(httpx.FieldError{Field: "room_id", Message: "must be a room id"})
	}
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	if p.After != "" && !validID(p.After) {
		return httpx.Invalid(httpx.FieldError{Field: "cursor", Message: "is not a cursor returned by this list"})
	}
	ms := matchSQL[s.DB.Dialect]
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = ms.term(t)
	}
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT `+messageCols+` FROM chat_messages m
		JOIN chat_members cm ON cm.account_id = m.account_id AND cm.room_id = m.room_id AND cm.user_id = $2
		WHERE m.account_id = $1 AND m.deleted_at IS NULL AND m.kind = 'text' AND `+ms.cond+`
		AND ($4 = '' OR m.room_id = $4) AND ($5 = '' OR m.id < $5)
		ORDER BY m.id DESC LIMIT `+strconv.Itoa(p.Limit+1), v.accountID, v.userID, strings.Join(parts, ms.join), room, p.After)
	list, err := db.Collect(rows, err, scanMessage)
	if err != nil {
		return err
	}
	page := httpx.NewPage(list, p, func(m *Message) string { return m.ID })
	if err := loadDetails(r.Context(), s.DB.R, v.accountID, page.Data, base(v.accountID)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}
