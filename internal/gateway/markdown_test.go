package gateway

import "testing"

func TestToWhatsApp(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"**bold** and __bold__":     "*bold* and *bold*",
		"*it* and _it_":             "_it_ and _it_",
		"~~gone~~":                  "~gone~",
		"snake_case_name and 2*3*4": "snake_case_name and 2*3*4",
		"`**code**` stays":          "`**code**` stays",
		"```\n**block**\n```":       "```\n**block**\n```",
		"# Title":                   "*Title*",
		"[site](https://x.test) and [https://y.test](https://y.test)": "site (https://x.test) and https://y.test",
		"** not bold **":       "** not bold **",
		"unclosed **bold":      "unclosed **bold",
		"***both***":           "*_both_*",
		"linha 1\nlinha **2**": "linha 1\nlinha *2*",
	}
	for in, want := range cases {
		if got := ToWhatsApp(in); got != want {
			t.Errorf("ToWhatsApp(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFromWhatsApp(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"*bold* _it_ ~s~": "**bold** _it_ ~~s~~",
		"2*3*4":           "2*3*4",
		"`*code*`":        "`*code*`",
		"* not bold *":    "* not bold *",
		"```*block*```":   "```*block*```",
	}
	for in, want := range cases {
		if got := FromWhatsApp(in); got != want {
			t.Errorf("FromWhatsApp(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBrazilianVariants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in       string
		key      string
		variants []string
	}{
		{"553188887777", "5531988887777", []string{"5531988887777", "553188887777"}},
		{"5531988887777", "5531988887777", []string{"5531988887777", "553188887777"}},
		{"5511987650001", "5511987650001", []string{"5511987650001", "551187650001"}},
		{"553132221111", "553132221111", []string{"553132221111"}}, // a landline has no sibling
		{"14155550100", "14155550100", []string{"14155550100"}},
		{"5501988887777", "5501988887777", []string{"5501988887777"}}, // no DDD with a 0
	}
	for _, c := range cases {
		if got := phoneKey(c.in); got != c.key {
			t.Errorf("phoneKey(%s) = %s, want %s", c.in, got, c.key)
		}
		got := phoneVariants(c.in)
		if len(got) != len(c.variants) {
			t.Errorf("phoneVariants(%s) = %v, want %v", c.in, got, c.variants)
			continue
		}
		for i := range got {
			if got[i] != c.variants[i] {
				t.Errorf("phoneVariants(%s) = %v, want %v", c.in, got, c.variants)
			}
		}
	}
	p := Peer{Phone: "553188887777", LID: "207954848374201@lid"}
	if p.Key() != "5531988887777" || len(p.Aliases()) != 3 {
		t.Fatalf("peer: %s %v", p.Key(), p.Aliases())
	}
}
