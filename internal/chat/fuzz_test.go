package chat

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/realtime"
)

var fuzzMembers = []string{"u-ana", "u-ana2", "u-bia", "u-joao"}
var fuzzNames = map[string]string{"u-ana": "Ana Souza", "u-ana2": "Ana Lima", "u-bia": "Bia", "u-joao": "João  da Silva"}

func TestResolveMentions(t *testing.T) {
	ps := people(fuzzMembers, fuzzNames)
	cases := []struct {
		text string
		ids  []string
		room bool
		want []string
		all  bool
	}{
		{"@Ana Souza oi", nil, false, []string{"u-ana"}, false},
		{"@ana oi", nil, false, []string{}, false}, // two Anas
		{"@bia e @JOAO DA SILVA", nil, false, []string{"u-bia", "u-joao"}, false},
		{"@joão", nil, false, []string{"u-joao"}, false},
		{"@biatriz", nil, false, []string{}, false},
		{"mail bia@x.com `@bia`", nil, false, []string{}, false},
		{"@room", nil, false, []string{}, false},
		{"@Room!", nil, true, []string{}, true},
		{"hi", []string{"u-ana2", "u-ana2", "nobody"}, false, []string{"u-ana2"}, false},
	}
	for _, c := range cases {
		got, all := resolveMentions(c.text, c.ids, ps, c.room)
		if !slices.Equal(got, c.want) || all != c.all {
			t.Errorf("%q: %v %v, want %v %v", c.text, got, all, c.want, c.all)
		}
	}
}

// FuzzMentions: resolution never panics, names only room members, once
// each, and @room only when allowed.
func FuzzMentions(f *testing.F) {
	for _, s := range []string{"@Ana Souza", "@bia @bia", "@room", "**@joão**", "`@x`", "@", "@@", "a@b", "@Ana\u00a0Souza", "@ANA LIMA!"} {
		f.Add(s, "u-bia", true)
	}
	ps := people(fuzzMembers, fuzzNames)
	f.Fuzz(func(t *testing.T, text, id string, allowRoom bool) {
		got, all := resolveMentions(text, []string{id}, ps, allowRoom)
		if all && !allowRoom {
			t.Fatal("@room without the right")
		}
		seen := map[string]bool{}
		for _, g := range got {
			if !slices.Contains(fuzzMembers, g) || seen[g] {
				t.Fatalf("mentions %v of %q", got, text)
			}
			seen[g] = true
		}
	})
}

// FuzzSearchTerms: terms are folded words of letters and digits only, at
// most 10 of at most 64 bytes, valid UTF-8: nothing else reaches either
// database's full-text syntax.
func FuzzSearchTerms(f *testing.F) {
	for _, s := range []string{"promoção natal", `"a" OR b*`, "a & b | !c", ":*", "x\x00y", strings.Repeat("palavra ", 20), "ÁÉÍ 123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		terms := SearchTerms(q)
		if len(terms) > maxTerms {
			t.Fatalf("%d terms", len(terms))
		}
		for _, w := range terms {
			if w == "" || len(w) > 64 || !utf8.ValidString(w) {
				t.Fatalf("term %q", w)
			}
			for _, r := range w {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("term %q holds %q", w, r)
				}
			}
		}
	})
}

// FuzzUploadNames: a cleaned file name is a base name without controls,
// quotes or separators, never empty, at most 200 characters; a sniffed
// type is always one of the allowed ones.
func FuzzUploadNames(f *testing.F) {
	f.Add("../../etc/passwd", []byte("root:x:0:0"))
	f.Add("a\\b\\c.docx", []byte("PK\x03\x04"))
	f.Add("x.svg", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"))
	f.Add("\x00\"..", []byte("\x89PNG\r\n\x1a\n"))
	f.Add(strings.Repeat("é", 300)+".pdf", []byte("%PDF-1.7"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		n := CleanFilename(name)
		if n == "" || n == "." || n == ".." || utf8.RuneCountInString(n) > 200 || strings.ContainsAny(n, "/\\\"") ||
			strings.ContainsFunc(n, unicode.IsControl) {
			t.Fatalf("CleanFilename(%q) = %q", name, n)
		}
		if ct, ok := SniffType(head, n); ok {
			known := strings.HasPrefix(ct, "text/csv")
			for _, v := range allowed {
				known = known || v == ct
			}
			for _, v := range officeTypes {
				known = known || v == ct
			}
			if !known {
				t.Fatalf("sniffed %q for %q", ct, head)
			}
		}
	})
}

// FuzzInputs: the small validators of outside input never panic and
// accept only what they promise.
func FuzzInputs(f *testing.F) {
	for _, s := range []string{"👍", ":+1:", "👨‍👩‍👧", "a b", "", strings.Repeat("x", 70), "01a232b6-5e7c-70de-90bf-7b61c0f2be23", "../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validEmoji(s) && (strings.ContainsFunc(s, unicode.IsSpace) || utf8.RuneCountInString(s) > 16 || s == "") {
			t.Fatalf("emoji %q", s)
		}
		if validEcho(s) && (len(s) > maxEchoID || strings.ContainsFunc(s, unicode.IsSpace)) {
			t.Fatalf("echo %q", s)
		}
		if validID(s) && strings.ContainsAny(s, "/.:%,") {
			t.Fatalf("id %q", s)
		}
		// Scopes are the server's own, but the filter must survive any.
		f := &roomFilter{user: "u", rooms: map[string]bool{"r": true}}
		f.see(&realtime.Event{Seq: 1, Scope: s})
		f.see(&realtime.Event{Scope: s})
	})
}
