package gateway

import "strings"

// Chatwoot's composer writes CommonMark; WhatsApp has its own marks:
// *bold*, _italic_, ~strike~, `code` and ```blocks```. ToWhatsApp turns
// the first into the second, leaving code untouched; FromWhatsApp does
// the reverse for messages shown in Chatwoot.

// ToWhatsApp converts Chatwoot markdown to WhatsApp formatting.
func ToWhatsApp(md string) string {
	var b strings.Builder
	b.Grow(len(md))
	lines := strings.Split(md, "\n")
	inBlock := false
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inBlock = !inBlock
			b.WriteString(line)
			continue
		}
		if inBlock {
			b.WriteString(line)
			continue
		}
		if h := heading(line); h != "" {
			b.WriteString("*" + inlineToWhatsApp(h) + "*")
			continue
		}
		b.WriteString(inlineToWhatsApp(line))
	}
	return b.String()
}

// heading returns the text of an ATX heading line ("# Title"), or "".
func heading(line string) string {
	n := 0
	for n < len(line) && n < 6 && line[n] == '#' {
		n++
	}
	if n == 0 || n >= len(line) || line[n] != ' ' {
		return ""
	}
	return strings.TrimSpace(line[n+1:])
}

// inlineToWhatsApp converts one line's inline marks. Code spans are kept
// verbatim; a mark is only converted when it closes on the same line.
func inlineToWhatsApp(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case s[i] == '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(s[i : i+j+2])
			i += j + 2
		case strings.HasPrefix(s[i:], "***"):
			if inner, n, ok := span(s[i:], "***"); ok {
				b.WriteString("*_" + inlineToWhatsApp(inner) + "_*")
				i += n
				continue
			}
			b.WriteString("***")
			i += 3
		case strings.HasPrefix(s[i:], "**") || strings.HasPrefix(s[i:], "__"):
			if inner, n, ok := span(s[i:], s[i:i+2]); ok {
				b.WriteString("*" + inlineToWhatsApp(inner) + "*")
				i += n
				continue
			}
			b.WriteString(s[i : i+2])
			i += 2
		case strings.HasPrefix(s[i:], "~~"):
			if inner, n, ok := span(s[i:], "~~"); ok {
				b.WriteString("~" + inlineToWhatsApp(inner) + "~")
				i += n
				continue
			}
			b.WriteString("~~")
			i += 2
		case s[i] == '*' || s[i] == '_':
			if inner, n, ok := span(s[i:], s[i:i+1]); ok && wordEdge(s, i) {
				b.WriteString("_" + inlineToWhatsApp(inner) + "_")
				i += n
				continue
			}
			b.WriteByte(s[i])
			i++
		case s[i] == '[':
			if text, url, n, ok := link(s[i:]); ok {
				if text == url {
					b.WriteString(url)
				} else {
					b.WriteString(inlineToWhatsApp(text) + " (" + url + ")")
				}
				i += n
				continue
			}
			b.WriteByte('[')
			i++
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// span finds mark…mark at the start of s with non-space content that
// touches both marks; it returns the content and the bytes consumed.
func span(s, mark string) (string, int, bool) {
	rest := s[len(mark):]
	j := strings.Index(rest, mark)
	if j <= 0 {
		return "", 0, false
	}
	inner := rest[:j]
	if strings.TrimSpace(inner) != inner {
		return "", 0, false
	}
	return inner, len(mark) + j + len(mark), true
}

// wordEdge: a single * or _ opens emphasis only at the start of a word,
// so snake_case and 2*3*4 stay as written.
func wordEdge(s string, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	return c == ' ' || c == '(' || c == '\t' || c == '"'
}

// link parses [text](url) at the start of s.
func link(s string) (text, url string, n int, ok bool) {
	end := strings.Index(s, "](")
	if end < 0 {
		return "", "", 0, false
	}
	close := strings.IndexByte(s[end+2:], ')')
	if close < 0 {
		return "", "", 0, false
	}
	text, url = s[1:end], s[end+2:end+2+close]
	if strings.ContainsAny(url, " \n") || url == "" || strings.Contains(text, "[") {
		return "", "", 0, false
	}
	return text, url, end + 3 + close, true
}

// FromWhatsApp converts WhatsApp formatting to markdown for Chatwoot:
// *bold* → **bold**, ~strike~ → ~~strike~~; _italic_ and code are the
// same in both.
func FromWhatsApp(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "```"):
			j := strings.Index(s[i+3:], "```")
			if j < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(s[i : i+j+6])
			i += j + 6
		case s[i] == '`':
			j := strings.IndexByte(s[i+1:], '`')
			if j < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(s[i : i+j+2])
			i += j + 2
		case (s[i] == '*' || s[i] == '~') && wordEdge(s, i):
			mark := s[i : i+1]
			if inner, n, ok := span(s[i:], mark); ok && !strings.Contains(inner, "\n") {
				b.WriteString(mark + mark + inner + mark + mark)
				i += n
				continue
			}
			b.WriteByte(s[i])
			i++
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}
