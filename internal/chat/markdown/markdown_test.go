package markdown

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	cases := []struct{ src, plain string }{
		{"**bold** and *it* and _it_ ~~gone~~", "bold and it and it gone"},
		{"a `code @x` b", "a code @x b"},
		{"see [the docs](https://example.com/a) now", "see the docs now"},
		{"[evil](javascript:alert(1))", "[evil](javascript:alert(1))"},
		{"> quoted\n- item\n1. first", "quoted\nitem\n1. first"},
		{"```go\nfmt.Println(\"**x**\")\n```", "fmt.Println(\"**x**\")"},
		{"```\nnever closed", "```\nnever closed"},
		{"snake_case_name stays", "snake_case_name stays"},
		{"2 * 3 * 4", "2 * 3 * 4"},
		{"visit https://example.com/x.", "visit https://example.com/x."},
	}
	for _, c := range cases {
		if got := Plain(Parse(c.src)); got != c.plain {
			t.Errorf("Plain(%q) = %q, want %q", c.src, got, c.plain)
		}
	}
}

func TestMentionSpansSkipCode(t *testing.T) {
	src := "hi @ana `@bob` **@caio**\n```\n@dora\n```"
	var got []string
	for _, sp := range MentionSpans(Parse(src)) {
		if src[sp.Pos:sp.Pos+len(sp.Text)] != sp.Text {
			t.Fatalf("span %+v is not at its position", sp)
		}
		got = append(got, sp.Text)
	}
	if strings.Join(got, "|") != "hi @ana |@caio" {
		t.Fatalf("spans %q", got)
	}
}

func TestLinksAndURLs(t *testing.T) {
	bl := Parse("[a](https://x.test) https://y.test/p?q=1, mailto:nobody")
	var urls []string
	for _, in := range bl[0].Inlines {
		if in.URL != "" {
			urls = append(urls, in.URL)
		}
	}
	if strings.Join(urls, " ") != "https://x.test https://y.test/p?q=1" {
		t.Fatalf("urls %q", urls)
	}
}

// FuzzParse: parsing never panics, text spans sit where they say, every
// URL is a safe scheme, and the plain text of valid UTF-8 is valid UTF-8
// and no longer than the source.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "**a**", "*a _b_ ~~c~~*", "`x", "[a](https://b)", "```\ncode\n```", "> q\n- i\n10. n",
		"@ana @room", "**[x](http://y)**", "_a_b_", "\r\n\r\n", "https://", "[](", "~~~~", "**********"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		blocks := Parse(src)
		plain := Plain(blocks)
		if len(plain) > len(src) {
			t.Fatalf("plain %q longer than source %q", plain, src)
		}
		if utf8.ValidString(src) && !utf8.ValidString(plain) {
			t.Fatalf("plain of valid UTF-8 is not: %q", plain)
		}
		var walk func([]Inline)
		walk = func(ins []Inline) {
			for _, in := range ins {
				if in.Pos < 0 || in.Pos > len(src) {
					t.Fatalf("position %d outside %q", in.Pos, src)
				}
				if (in.Kind == Text || in.Kind == Code || in.Kind == URL) && !strings.HasPrefix(src[in.Pos:], in.Text) {
					t.Fatalf("%s %q is not at %d of %q", in.Kind, in.Text, in.Pos, src)
				}
				if in.URL != "" && !safeURL(in.URL) {
					t.Fatalf("unsafe url %q", in.URL)
				}
				walk(in.Children)
			}
		}
		for _, b := range blocks {
			walk(b.Inlines)
		}
		for _, sp := range MentionSpans(blocks) {
			if !strings.HasPrefix(src[sp.Pos:], sp.Text) {
				t.Fatalf("mention span %q not at %d", sp.Text, sp.Pos)
			}
		}
	})
}
