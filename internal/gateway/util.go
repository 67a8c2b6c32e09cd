package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// hashText is a short stable digest, to tell two edits of one message apart.
func hashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// clip keeps stored errors short and valid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
