package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/whatpro/hub/internal/chat/markdown"
)

// fold lower-cases s and drops its diacritics ("Ção" → "cao"), so names
// and search match the way people type them.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// person is a room member as mentions see them.
type person struct {
	id    string
	full  string // folded full name
	first string // folded first word
}

func people(ids []string, names map[string]string) []person {
	out := make([]person, 0, len(ids))
	for _, id := range ids {
		full := strings.Join(strings.Fields(fold(names[id])), " ")
		first, _, _ := strings.Cut(full, " ")
		out = append(out, person{id: id, full: full, first: first})
	}
	return out
}

// resolveMentions answers who a message mentions: the composer's ids that
// are members, plus every "@" outside code followed by the full name or
// the first name of exactly one member; "@room" when the author may use
// it. The order is that of first mention; ids appear once.
func resolveMentions(content string, ids []string, members []person, allowRoom bool) (mentions []string, room bool) {
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			mentions = append(mentions, id)
		}
	}
	isMember := map[string]bool{}
	for _, p := range members {
		isMember[p.id] = true
	}
	for _, id := range ids {
		if isMember[id] {
			add(id)
		}
	}
	for _, sp := range markdown.MentionSpans(markdown.Parse(content)) {
		t := sp.Text
		for i := strings.IndexByte(t, '@'); i >= 0; {
			if atStart(t, i) {
				rest := t[i+1:]
				if _, ok := prefixFold(rest, "room"); ok {
					room = room || allowRoom
				} else if id := whom(rest, members); id != "" {
					add(id)
				}
			}
			j := strings.IndexByte(t[i+1:], '@')
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	if mentions == nil {
		mentions = []string{}
	}
	return mentions, room
}

// atStart: an "@" mentions only at the start of a word (not in e-mail
// addresses such as ana@example.com).
func atStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-')
}

// whom finds the single member whose full name (longest match first) or
// else first name follows the "@".
func whom(rest string, members []person) string {
	best, bestLen, tie := "", 0, false
	for _, p := range members {
		if p.full == "" {
			continue
		}
		if n, ok := prefixFold(rest, p.full); ok {
			switch {
			case n > bestLen:
				best, bestLen, tie = p.id, n, false
			case n == bestLen && p.id != best:
				tie = true
			}
		}
	}
	if best != "" {
		if tie {
			return ""
		}
		return best
	}
	for _, p := range members {
		if p.first == "" {
			continue
		}
		if _, ok := prefixFold(rest, p.first); ok {
			if best != "" && best != p.id {
				return ""
			}
			best = p.id
		}
	}
	return best
}

// prefixFold reports whether s starts with the folded name (compared
// folded, whitespace runs matching one space) followed by a word
// boundary, and how many bytes of s matched.
func prefixFold(s, name string) (int, bool) {
	i := 0
	for _, want := range name {
		if i >= len(s) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if want == ' ' {
			if !unicode.IsSpace(r) {
				return 0, false
			}
			i += size
			continue
		}
		if f := fold(string(r)); f != string(want) {
			return 0, false
		}
		i += size
	}
	if i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return 0, false
		}
	}
	return i, true
}

// plainText is the message as search and previews see it.
func plainText(content string) string { return markdown.Plain(markdown.Parse(content)) }

// searchText is what the search index holds: plain and folded.
func searchText(content string) string { return fold(plainText(content)) }

// excerpt shortens the plain text of content to n runes.
func excerpt(content string, n int) string {
	p := strings.Join(strings.Fields(plainText(content)), " ")
	if utf8.RuneCountInString(p) <= n {
		return p
	}
	r := []rune(p)
	return string(r[:n-1]) + "…"
}
