package secret

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// testKey returns a recognisable key: every byte is b, so leaks of it are
// easy to look for in printed output.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func entrySpec(id string, key []byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(key)
}

func mustParse(t testing.TB, spec string) *Ring {
	t.Helper()
	r, err := Parse(spec)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

func mustEncrypt(t testing.TB, r *Ring, plaintext, aad string) string {
	t.Helper()
	s, err := r.EncryptString(plaintext, aad)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	return s
}
