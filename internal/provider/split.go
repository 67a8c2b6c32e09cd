package provider

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// whole is a body that is one part: either one event (Evolution) or one
// that routes nowhere (reason set), deduplicated by its exact bytes as the
// provider retries the same body.
func whole(providerID string, raw []byte, obj map[string]any, reason string) Part {
	sum := sha256.Sum256(raw)
	return Part{SourceID: providerID + ":", Event: "unrouted", Dedupe: "body:" + hex.EncodeToString(sum[:]),
		Payload: obj, Ignore: reason}
}

// hashJSON is the hex SHA-256 of v's canonical JSON (encoding/json sorts
// map keys), so a redelivered part hashes the same.
func hashJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

// plainName accepts event names and instance keys made of letters,
// digits and "_.:-", at most 100 bytes: nothing else reaches the database
// or the logs as a name.
func plainName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// checked refuses to route a part whose event or key is not a plain name.
func checked(providerID string, p Part) Part {
	if !plainName(p.Event) {
		p.Event, p.Ignore = "unrouted", "the event has no usable name"
	}
	if p.Key != "" && !plainName(p.Key) {
		p.Key, p.SourceID, p.Ignore = "", providerID+":", "the event names no usable number"
	}
	return p
}
