package providersim

import (
	"strings"
	"testing"
)

func TestCreateJidAndBrazil(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"5531987654321":                "553187654321@s.whatsapp.net",  // DDD 31, subscriber 8…: the 9 goes
		"+55 (31) 98765-4321":          "553187654321@s.whatsapp.net",  // punctuation as typed
		"5511987654321":                "5511987654321@s.whatsapp.net", // DDD 11 keeps it
		"5531961234567":                "5531961234567@s.whatsapp.net", // subscriber 6…: kept
		"553187654321":                 "553187654321@s.whatsapp.net",  // already 12 digits
		"14155550123":                  "14155550123@s.whatsapp.net",
		"5511987654321@s.whatsapp.net": "5511987654321@s.whatsapp.net",
		"120363025246125486@g.us":      "120363025246125486@g.us",
		"123456789012345678":           "123456789012345678@g.us", // 18+ digits are groups
		"5511987654321:12@s.whatsapp":  "5511987654321@s.whatsapp.net",
		"987654321@lid":                "987654321@lid",
	} {
		if got := createJid(in); got != want {
			t.Errorf("createJid(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"5531987654321": "553187654321", "553187654321": "553187654321", // one account, either form
		"551187654321": "5511987654321", "5511987654321": "5511987654321",
		"553133334444": "553133334444", // a landline stays
		"14155550123":  "14155550123",
	} {
		if got := canonicalBR(in); got != want {
			t.Errorf("canonicalBR(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzJID checks the number rules on any input: createJid always names a
// chat, and canonicalBR is stable and one of the number's forms.
func FuzzJID(f *testing.F) {
	for _, s := range []string{"5531987654321", "+55 (11) 9 8765-4321", "553187654321", "x@lid", "1-2-3-4-5-6-7-8-9-0-1-2", "", "55", "5599999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		jid := createJid(s)
		if !strings.HasSuffix(jid, jidUser) && !strings.HasSuffix(jid, jidGroup) && !strings.HasSuffix(jid, jidLID) && jid != jidBroadcast {
			t.Fatalf("createJid(%q) = %q names no chat", s, jid)
		}
		d := digitsOnly(s)
		c := canonicalBR(d)
		if canonicalBR(c) != c {
			t.Fatalf("canonicalBR not stable: %q → %q → %q", d, c, canonicalBR(c))
		}
		found := false
		for _, v := range brVariants(d) {
			found = found || v == c
		}
		if !found {
			t.Fatalf("canonicalBR(%q) = %q is not among its forms %v", d, c, brVariants(d))
		}
	})
}
