package outbound

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, wantErr string // wantErr "" means valid
	}{
		{"https://chatwoot.example.com", ""},
		{"https://chatwoot.example.com/", ""},
		{"http://10.0.0.5:3000/chatwoot", ""}, // addresses are judged at dial time
		{"https://[2001:db8::1]:8443", ""},
		{"", "is empty"},
		{"chatwoot.example.com", "http:// or https://"},
		{"ftp://example.com", "http:// or https://"},
		{"javascript:alert(1)", "http:// or https://"},
		{"//example.com", "http:// or https://"},
		{"https://", "host name"},
		{"https:example.com", "host name"},
		{"https://:443", "host name"},
		{"https://admin:hunter2@example.com", "user name or password"},
		{"https://token@example.com", "user name or password"},
		{"https://example.com/#frag", "fragment"},
		{"https://example.com/?a=1", "query"},
		{"https://example.com:0", "invalid port"},
		{"https://example.com:70000", "invalid port"},
		{"https://exa mple.com", "cannot be parsed"},
		{"http://a b:pass@x", "cannot be parsed"},
	}
	for _, tt := range tests {
		u, err := ValidateBaseURL(tt.raw)
		if tt.wantErr == "" {
			if err != nil || u == nil {
				t.Errorf("%q: %v, want valid", tt.raw, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInvalidURL) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%q: err = %v, want one containing %q", tt.raw, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error repeats the password", tt.raw)
		}
	}
}

func FuzzValidateBaseURL(f *testing.F) {
	for _, s := range []string{
		"https://chatwoot.example.com", "http://u:p@h", "https://[::1]:443/a#b", "https://h?x", "http://h:99999", "%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ValidateBaseURL(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) || u != nil {
				t.Fatalf("err %v (url %v) does not follow the contract", err, u)
			}
			if len(raw) > 12 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error repeats the input: %v", err)
			}
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.Fragment != "" || u.RawQuery != "" {
			t.Fatalf("accepted %q as %#v", raw, u)
		}
	})
}
