package iam_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/iam"
)

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pw, email string
		ok        bool
	}{
		{"ten-chars!", "ana@example.test", true},
		{"nine-char", "ana@example.test", false},
		{"ççççççççç", "", false}, // runes, not bytes, are counted
		{"çççççççççç", "", true},
		{"ana@example.test", "ana@example.test", false},
		{"ANA@EXAMPLE.TEST", "ana@example.test", false},
		{"ana.maria.souza", "ana.maria.souza@example.test", false}, // the email's local part
		{"password123", "", false},
		{"PassWord123", "", false},
		{"1234567890", "", false},
		{strings.Repeat("x", 257), "", false},
		{"correct horse battery", "ana@example.test", true},
	} {
		if err := iam.CheckPolicy(tc.pw, tc.email); (err == nil) != tc.ok {
			t.Errorf("CheckPolicy(%q, %q) = %v, want ok=%v", tc.pw, tc.email, err, tc.ok)
		} else if err != nil && err.Error() != iam.PasswordRule {
			t.Errorf("refusal %q does not state the rule", err)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := iam.HashPassword("a-strong-test-passphrase-2")
	must(t, err)
	h2, err := iam.HashPassword("a-strong-test-passphrase-2")
	must(t, err)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=") || h == h2 || strings.Contains(h, "passphrase") {
		t.Fatalf("hash %q: want salted argon2id", h)
	}
	if !iam.CheckPassword(h, "a-strong-test-passphrase-2") || iam.CheckPassword(h, "a-strong-test-passphrase-3") {
		t.Fatal("CheckPassword does not tell the right password from a wrong one")
	}
	parts := strings.Split(h, "$")
	for _, bad := range []string{"", "plain", "$argon2i$" + strings.Join(parts[2:], "$"),
		strings.Replace(h, "t=2", "t=99", 1), strings.Replace(h, "p=1", "p=0", 1), strings.Replace(h, "m=19456", "m=99999999", 1),
		strings.Join(parts[:5], "$") + "$", strings.Join(parts[:4], "$") + "$!!$" + parts[5]} {
		if iam.CheckPassword(bad, "a-strong-test-passphrase-2") {
			t.Errorf("CheckPassword accepted hash %q", bad)
		}
	}
}
