package providersim

import (
	"regexp"
	"strings"
)

// WhatsApp JID suffixes.
const (
	jidUser      = "@s.whatsapp.net"
	jidGroup     = "@g.us"
	jidLID       = "@lid"
	jidBroadcast = "status@broadcast"
)

var brNumber = regexp.MustCompile(`^(\d{2})(\d{2})\d(\d{8})$`)

// formatBRNumber is Evolution's createJid rule for Brazil: a 13-digit
// 55+DDD+9+8 number loses its 9th digit when the DDD is 31 or more and the
// subscriber number starts with 7, 8 or 9, the form WhatsApp still uses
// for those accounts.
func formatBRNumber(n string) string {
	m := brNumber.FindStringSubmatch(n)
	if m == nil || m[1] != "55" {
		return n
	}
	ddd := int(m[2][0]-'0')*10 + int(m[2][1]-'0')
	if joker := m[3][0] - '0'; joker < 7 || ddd < 31 {
		return n
	}
	return m[1] + m[2] + m[3]
}

// createJid is Evolution's src/utils/createJid.ts for a number as a client
// sends it: a JID is kept, punctuation goes, long numbers are groups, and
// Brazilian mobile numbers follow formatBRNumber.
func createJid(number string) string {
	if strings.HasSuffix(number, jidGroup) || strings.HasSuffix(number, jidUser) || strings.HasSuffix(number, jidLID) ||
		number == jidBroadcast {
		return number
	}
	n := strings.NewReplacer(" ", "", "+", "", "(", "", ")", "").Replace(number)
	n, _, _ = strings.Cut(n, ":")
	n, _, _ = strings.Cut(n, "@")
	if strings.Contains(n, "-") && len(n) >= 24 {
		return n + jidGroup
	}
	n = digitsOnly(n)
	if len(n) >= 18 {
		return n + jidGroup
	}
	return formatBRNumber(n) + jidUser
}

// canonicalBR is the form WhatsApp's directory holds for a Brazilian
// mobile number, whichever form it was typed in: with the 9th digit below
// DDD 31 (and for subscriber numbers starting under 7), without it above.
// onWhatsappCache.getAvailableNumbers finds it by trying both.
func canonicalBR(digits string) string {
	if !strings.HasPrefix(digits, "55") {
		return digits
	}
	switch len(digits) {
	case 13:
		if digits[4] == '9' { // a mobile number with its 9th digit
			return formatBRNumber(digits)
		}
	case 12:
		ddd := int(digits[2]-'0')*10 + int(digits[3]-'0')
		if first := digits[4] - '0'; first >= 6 && (ddd < 31 || first < 7) {
			return digits[:4] + "9" + digits[4:]
		}
	}
	return digits
}

// brVariants are both forms of a Brazilian mobile number (or just n).
func brVariants(n string) []string {
	if !strings.HasPrefix(n, "55") {
		return []string{n}
	}
	switch len(n) {
	case 13:
		if n[4] == '9' {
			return []string{n, n[:4] + n[5:]}
		}
	case 12:
		return []string{n, n[:4] + "9" + n[4:]}
	}
	return []string{n}
}

// jidUserPart is the part of a JID before "@" (and before a ":device").
func jidUserPart(jid string) string {
	u, _, _ := strings.Cut(jid, "@")
	u, _, _ = strings.Cut(u, ":")
	return u
}
