// Package markdown parses the chat's light markdown: fenced code blocks,
// quotes and list items by line; bold (**), italic (* or _), strike (~~),
// inline code (`), links [text](https://…) and bare https:// links inside
// a line. Messages are stored as written; the server parses them to find
// mentions outside code, and to make the plain text that search and
// previews use. Anything that does not close is text: parsing never fails.
package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Block kinds.
const (
	Paragraph = "paragraph"
	Quote     = "quote"
	Item      = "item" // a "- ", "* " or "1. " list line
	CodeBlock = "code_block"
)

// Inline kinds.
const (
	Text   = "text"
	Bold   = "bold"
	Italic = "italic"
	Strike = "strike"
	Code   = "code"
	Link   = "link"
	URL    = "url"
)

// Block is one line-level element.
type Block struct {
	Kind    string
	Lang    string   // code blocks: the word after the opening fence
	Code    string   // code blocks: the literal text
	Inlines []Inline // other blocks
}

// Inline is one span of a line. Pos is the byte offset in the source of
// its text (Text and Code) or of its opening delimiter.
type Inline struct {
	Kind     string
	Text     string // text, code, url: the literal
	URL      string // link, url
	Children []Inline
	Pos      int
}

// maxDepth bounds nesting (bold inside italic inside …); deeper
// delimiters are text.
const maxDepth = 4

// Parse reads src into blocks.
func Parse(src string) []Block {
	var out []Block
	lines := splitLines(src)
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		body := ln.text
		if fence, lang, ok := openFence(body); ok {
			var code []string
			j := i + 1
			for ; j < len(lines); j++ {
				if strings.TrimSpace(lines[j].text) == fence {
					break
				}
				code = append(code, lines[j].text)
			}
			if j < len(lines) {
				out = append(out, Block{Kind: CodeBlock, Lang: lang, Code: strings.Join(code, "\n")})
				i = j
				continue
			}
			// No closing fence: the line is text.
		}
		kind, skip := lineKind(body)
		out = append(out, Block{Kind: kind, Inlines: parseInline(body[skip:], ln.pos+skip, 0)})
	}
	return out
}

type line struct {
	text string
	pos  int
}

func splitLines(src string) []line {
	var out []line
	pos := 0
	for {
		i := strings.IndexByte(src[pos:], '\n')
		if i < 0 {
			out = append(out, line{strings.TrimSuffix(src[pos:], "\r"), pos})
			return out
		}
		out = append(out, line{strings.TrimSuffix(src[pos:pos+i], "\r"), pos})
		pos += i + 1
	}
}

func openFence(s string) (fence, lang string, ok bool) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") {
		return "", "", false
	}
	lang = strings.TrimSpace(t[3:])
	if strings.Contains(lang, "`") || strings.ContainsFunc(lang, unicode.IsSpace) {
		return "", "", false
	}
	return "```", lang, true
}

func lineKind(s string) (string, int) {
	switch {
	case strings.HasPrefix(s, "> "):
		return Quote, 2
	case s == ">":
		return Quote, 1
	case strings.HasPrefix(s, "- "), strings.HasPrefix(s, "* "):
		return Item, 2
	}
	n := 0
	for n < len(s) && n < 4 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n > 0 && strings.HasPrefix(s[n:], ". ") {
		return Item, 0 // the number stays: it is what the reader sees
	}
	return Paragraph, 0
}

var pairs = []struct {
	delim string
	kind  string
}{{"**", Bold}, {"~~", Strike}, {"*", Italic}, {"_", Italic}}

// parseInline splits s (at offset base of the source) into spans.
func parseInline(s string, base, depth int) []Inline {
	var out []Inline
	text := strings.Builder{}
	textPos := base
	flush := func(next int) {
		if text.Len() > 0 {
			out = append(out, Inline{Kind: Text, Text: text.String(), Pos: textPos})
			text.Reset()
		}
		textPos = next
	}
	// A delimiter with no closer after it has none after any later
	// position either: remembering that keeps long lines linear.
	noTick := false
	noClose := map[string]bool{}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '`' && !noTick:
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				noTick = true
			}
			if j > 0 {
				flush(base + i + 1)
				out = append(out, Inline{Kind: Code, Text: s[i+1 : i+1+j], Pos: base + i + 1})
				i += j + 2
				textPos = base + i
				continue
			}
		case c == '[':
			if in, n, ok := link(s[i:], base+i, depth); ok {
				flush(base + i)
				out = append(out, in)
				i += n
				textPos = base + i
				continue
			}
		case c == 'h' && wordStart(s, i):
			if n := bareURL(s[i:]); n > 0 {
				flush(base + i)
				out = append(out, Inline{Kind: URL, Text: s[i : i+n], URL: s[i : i+n], Pos: base + i})
				i += n
				textPos = base + i
				continue
			}
		case depth < maxDepth && (c == '*' || c == '_' || c == '~'):
			if in, n, ok := emphasis(s, i, base, depth, noClose); ok {
				flush(base + i)
				out = append(out, in)
				i += n
				textPos = base + i
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		if text.Len() == 0 {
			textPos = base + i
		}
		text.WriteString(s[i : i+size])
		i += size
	}
	flush(base + len(s))
	return out
}

// emphasis parses a delimited span at s[i:]: the opener must be followed
// by a non-space, the closer preceded by one; "_" only between words.
func emphasis(s string, i, base, depth int, noClose map[string]bool) (Inline, int, bool) {
	for _, p := range pairs {
		d := p.delim
		if !strings.HasPrefix(s[i:], d) {
			continue
		}
		start := i + len(d)
		if noClose[d] || start >= len(s) || s[start] == ' ' || (d == "_" && !wordStart(s, i)) {
			return Inline{}, 0, false
		}
		// Only the first closers are tried, so a line of many unmatched
		// delimiters costs a bounded amount per delimiter.
		for k, tries := start+1, 0; k+len(d) <= len(s) && tries < maxClosers; tries++ {
			j := strings.Index(s[k:], d)
			if j < 0 {
				if tries == 0 {
					noClose[d] = true
				}
				break
			}
			end := k + j
			after := end + len(d)
			if s[end-1] != ' ' && (d != "*" || after >= len(s) || s[after] != '*') && (d != "_" || wordEnd(s, after)) {
				inner := s[start:end]
				return Inline{Kind: p.kind, Children: parseInline(inner, base+start, depth+1), Pos: base + i}, after - i, true
			}
			k = end + len(d)
		}
		return Inline{}, 0, false
	}
	return Inline{}, 0, false
}

// Bounds that keep parsing linear in the length of a line.
const (
	maxClosers  = 64
	maxLinkText = 500
	maxLinkURL  = 2000
)

// link parses [text](url) with an http, https or mailto URL.
func link(s string, pos, depth int) (Inline, int, bool) {
	j := strings.Index(s[:min(len(s), maxLinkText+2)], "](")
	if j < 1 || strings.ContainsAny(s[1:j], "[]") {
		return Inline{}, 0, false
	}
	k := strings.IndexByte(s[j+2:min(len(s), j+2+maxLinkURL)], ')')
	if k < 1 {
		return Inline{}, 0, false
	}
	u := s[j+2 : j+2+k]
	if !safeURL(u) {
		return Inline{}, 0, false
	}
	kids := []Inline{{Kind: Text, Text: s[1:j], Pos: pos + 1}}
	if depth < maxDepth {
		kids = parseInline(s[1:j], pos+1, depth+1)
	}
	return Inline{Kind: Link, URL: u, Children: kids, Pos: pos}, j + 3 + k, true
}

// safeURL accepts the schemes a link may open; never javascript: or data:.
func safeURL(u string) bool {
	l := strings.ToLower(u)
	if strings.ContainsFunc(u, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == '"'
	}) {
		return false
	}
	return (strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")) && len(u) > len("https://") ||
		strings.HasPrefix(l, "mailto:") && len(u) > len("mailto:")
}

// bareURL measures an https:// or http:// link at the start of s; a
// closing punctuation mark stays outside.
func bareURL(s string) int {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return 0
	}
	n := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' || unicode.IsControl(r)
	})
	if n < 0 {
		n = len(s)
	}
	for n > 0 && strings.ContainsRune(".,;:!?)]'", rune(s[n-1])) {
		n--
	}
	if n <= len("https://") || !safeURL(s[:n]) {
		return 0
	}
	return n
}

func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isWord(r)
}

func wordEnd(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !isWord(r)
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
