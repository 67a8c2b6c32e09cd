package markdown

import "strings"

// Plain is the text a reader sees, without markup: for search, previews
// and notifications. Blocks are separated by newlines.
func Plain(blocks []Block) string {
	var b strings.Builder
	for i, bl := range blocks {
		if i > 0 {
			b.WriteByte('\n')
		}
		if bl.Kind == CodeBlock {
			b.WriteString(bl.Code)
			continue
		}
		writeInlines(&b, bl.Inlines)
	}
	return b.String()
}

func writeInlines(b *strings.Builder, ins []Inline) {
	for _, in := range ins {
		switch in.Kind {
		case Text, Code, URL:
			b.WriteString(in.Text)
		default:
			writeInlines(b, in.Children)
		}
	}
}

// Span is a run of text where mentions count: outside code and URLs.
type Span struct {
	Text string
	Pos  int // byte offset of Text in the source
}

// MentionSpans lists the text runs of blocks in which an "@" may mention
// someone.
func MentionSpans(blocks []Block) []Span {
	var out []Span
	var walk func(ins []Inline)
	walk = func(ins []Inline) {
		for _, in := range ins {
			switch in.Kind {
			case Text:
				if strings.IndexByte(in.Text, '@') >= 0 {
					out = append(out, Span{Text: in.Text, Pos: in.Pos})
				}
			case Bold, Italic, Strike, Link:
				walk(in.Children)
			}
		}
	}
	for _, bl := range blocks {
		if bl.Kind != CodeBlock {
			walk(bl.Inlines)
		}
	}
	return out
}
