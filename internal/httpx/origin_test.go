package httpx

import (
	"strings"
	"testing"
)

func TestParseOrigin(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"https://chat.example.com":             "https://chat.example.com",
		"HTTPS://Chat.Example.COM":             "https://chat.example.com",
		"https://chat.example.com/":            "https://chat.example.com",
		"https://chat.example.com:443":         "https://chat.example.com",
		"http://chat.example.com:80":           "http://chat.example.com",
		"https://chat.example.com.":            "https://chat.example.com",
		"http://localhost:3000":                "http://localhost:3000",
		"https://127.0.0.1:8443":               "https://127.0.0.1:8443",
		"https://[2001:DB8::1]:8443":           "https://[2001:db8::1]:8443",
		"https://xn--bcher-kva.example":        "https://xn--bcher-kva.example",
		"https://chat.example.com:0443":        "",
		"https://*":                            "",
		"https://*.example.com":                "",
		"https://chat.example.com;sandbox":     "",
		"https://a.example, https://b.example": "",
		"https://chat.example.com/path":        "",
		"https://user@chat.example.com":        "",
		"https://chat.example.com?x=1":         "",
		"https://chat.example.com#x":           "",
		"javascript:alert(1)":                  "",
		"https://chat'.example.com":            "",
		"https://chat\".example.com":           "",
		"https://chat example.com":             "",
		"https://-chat.example.com":            "",
		"https://chat..example.com":            "",
		"https://ｃhat.example.com":             "",
		"https://chat.example.com:":            "",
		"https://chat.example.com:99999":       "",
		"null":                                 "",
		"":                                     "",
		"'self'":                               "",
		"https://[fe80::1%25eth0]":             "",
	}
	for in, want := range good {
		got, err := ParseOrigin(in, false)
		if want == "" {
			if err == nil {
				t.Errorf("ParseOrigin(%q) = %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseOrigin("http://chat.example.com", true); err == nil {
		t.Error("http accepted in production")
	}
	if o, err := ParseOrigin("https://chat.example.com", true); err != nil || o != "https://chat.example.com" {
		t.Errorf("https refused in production: %q %v", o, err)
	}
}

// FuzzParseOrigin: whatever comes out is canonical (parsing it again gives
// it back), is scheme://host[:port] only, and holds nothing that could
// break out of a Content-Security-Policy source list or a header.
func FuzzParseOrigin(f *testing.F) {
	for _, s := range []string{"https://chat.example.com", "HTTPS://CHAT.EXAMPLE.COM:443/", "https://*", "https://a;sandbox",
		"http://[::1]:80", "https://xn--bcher-kva.example.", "https://a.b:0", "https://a.b:65535", "http://1.2.3.4", "https://u:p@h"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, httpsOnly bool) {
		o, err := ParseOrigin(raw, httpsOnly)
		if err != nil {
			return
		}
		again, err := ParseOrigin(o, httpsOnly)
		if err != nil || again != o {
			t.Fatalf("ParseOrigin(%q) = %q, which re-parses to %q, %v", raw, o, again, err)
		}
		scheme, rest, ok := strings.Cut(o, "://")
		if !ok || (scheme != "https" && (scheme != "http" || httpsOnly)) {
			t.Fatalf("ParseOrigin(%q) = %q: bad scheme", raw, o)
		}
		for _, c := range rest {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.ContainsRune(".-:[]", c)) {
				t.Fatalf("ParseOrigin(%q) = %q holds %q", raw, o, c)
			}
		}
		if strings.Contains(rest, "/") || rest == "" {
			t.Fatalf("ParseOrigin(%q) = %q is not an origin", raw, o)
		}
	})
}
