package intake

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strconv"
	"time"
)

// Reasons a delivery is refused. They are logged, never sent: every
// refusal answers the same 401, so an outsider learns nothing about which
// links exist or how they are configured.
var (
	errNoTimestamp    = errors.New("missing or malformed X-Chatwoot-Timestamp")
	errStaleTimestamp = errors.New("X-Chatwoot-Timestamp is more than 5 minutes from the hub's clock")
	errBadSignature   = errors.New("missing or wrong X-Chatwoot-Signature")
	errBadToken       = errors.New("missing or wrong ?token=")
	errNoCredential   = errors.New("the link has neither a signing secret nor an enabled URL token")
)

// Sign returns the X-Chatwoot-Signature value Chatwoot sends for body:
// "sha256=" + hex(HMAC-SHA256(secret, "{timestamp}.{body}")).
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// verifySignature checks a signed delivery: the timestamp must be unix
// seconds within MaxSkew of now, and the signature exactly what Sign gives.
func verifySignature(secret, timestamp, signature string, body []byte, now time.Time) error {
	ts, ok := parseUnix(timestamp)
	if !ok {
		return errNoTimestamp
	}
	// Whole seconds on both sides, as Chatwoot sends them.
	skew := int64(MaxSkew / time.Second)
	if d := now.Unix() - ts; d > skew || d < -skew {
		return errStaleTimestamp
	}
	want := Sign(secret, timestamp, body)
	// Equal lengths are public (the format is fixed); the content is
	// compared in constant time.
	if len(signature) != len(want) || subtle.ConstantTimeCompare([]byte(signature), []byte(want)) != 1 {
		return errBadSignature
	}
	return nil
}

// parseUnix reads positive unix seconds written as plain digits, as
// Chatwoot sends them (no sign, no fraction, no spaces).
func parseUnix(s string) (int64, bool) {
	if s == "" || len(s) > 12 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// verifyToken compares a ?token= with the link's URL token. Both are
// hashed first so the comparison time does not depend on their lengths.
func verifyToken(want, got string) error {
	if want == "" || got == "" {
		return errBadToken
	}
	a, b := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(got))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return errBadToken
	}
	return nil
}

// authenticate applies the link's scheme: the signature when it has a
// secret; otherwise the URL token when enabled; otherwise nothing passes.
func authenticate(l Link, timestamp, signature, token string, body []byte, now time.Time) error {
	switch {
	case l.Secret != "":
		return verifySignature(l.Secret, timestamp, signature, body, now)
	case l.URLTokenEnabled:
		return verifyToken(l.URLToken, token)
	default:
		return errNoCredential
	}
}
