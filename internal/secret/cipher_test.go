package secret

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	r := mustParse(t, entrySpec("k1", testKey(1)))
	for _, pt := range []string{"", "x", "chatwoot-token-123", strings.Repeat("é", 5000)} {
		s := mustEncrypt(t, r, pt, "chatwoot_links.api_token:42")
		if !strings.HasPrefix(s, "v1:k1:") {
			t.Fatalf("ciphertext %q does not start with v1:k1:", s)
		}
		if len(pt) > 3 && strings.Contains(s, pt) {
			t.Fatalf("ciphertext contains the plaintext")
		}
		got, err := r.DecryptString(s, "chatwoot_links.api_token:42")
		if err != nil {
			t.Fatalf("Decrypt: %v", err)
		}
		if got != pt {
			t.Fatalf("round trip: got %q, want %q", got, pt)
		}
	}
}

func TestEncryptIsRandomized(t *testing.T) {
	t.Parallel()
	r := mustParse(t, entrySpec("k1", testKey(1)))
	if a, b := mustEncrypt(t, r, "same", ""), mustEncrypt(t, r, "same", ""); a == b {
		t.Fatalf("two encryptions of the same plaintext are equal: %q", a)
	}
}

func TestDecryptFailures(t *testing.T) {
	t.Parallel()
	r := mustParse(t, entrySpec("k1", testKey(1))+","+entrySpec("k0", testKey(2)))
	good := mustEncrypt(t, r, "secret value", "row:1")
	payload := good[len("v1:k1:"):]
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return "v1:k1:" + base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name, s, aad string
		want         error
	}{
		{"aad mismatch", good, "row:2", ErrDecrypt},
		{"aad missing", good, "", ErrDecrypt},
		{"nonce flipped", flip(0), "row:1", ErrDecrypt},
		{"ciphertext flipped", flip(14), "row:1", ErrDecrypt},
		{"tag flipped", flip(len(raw) - 1), "row:1", ErrDecrypt},
		{"truncated", good[:len(good)-4], "row:1", ErrDecrypt},
		{"other key id in ring", "v1:k0:" + payload, "row:1", ErrDecrypt},
		{"unknown key id", "v1:k9:" + payload, "row:1", ErrUnknownKey},
		{"bad version", "v2:k1:" + payload, "row:1", ErrDecrypt},
		{"bad base64", "v1:k1:" + payload + "!", "row:1", ErrDecrypt},
		{"too short", "v1:k1:AAAA", "row:1", ErrDecrypt},
		{"empty", "", "row:1", ErrDecrypt},
		{"no id", "v1:", "row:1", ErrDecrypt},
		{"plaintext stored by mistake", "my-token", "row:1", ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.DecryptString(tt.s, tt.aad)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got != "" {
				t.Fatalf("returned plaintext %q alongside error", got)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	old := mustParse(t, entrySpec("k1", testKey(1)))
	oldCT := mustEncrypt(t, old, "provider-credential", "providers.credentials:7")
	if old.NeedsRotation(oldCT) {
		t.Fatal("ciphertext under the only key reported as needing rotation")
	}

	// k2 becomes active; k1 stays to decrypt existing rows.
	r := mustParse(t, entrySpec("k2", testKey(2))+","+entrySpec("k1", testKey(1)))
	if got, err := r.DecryptString(oldCT, "providers.credentials:7"); err != nil || got != "provider-credential" {
		t.Fatalf("old ciphertext: got %q, %v", got, err)
	}
	if !r.NeedsRotation(oldCT) {
		t.Fatal("NeedsRotation = false for a k1 ciphertext with k2 active")
	}
	rotated, changed, err := r.Rotate(oldCT, []byte("providers.credentials:7"))
	if err != nil || !changed {
		t.Fatalf("Rotate: changed=%v err=%v", changed, err)
	}
	if !strings.HasPrefix(rotated, "v1:k2:") || r.NeedsRotation(rotated) {
		t.Fatalf("rotated ciphertext %q is not under k2", rotated)
	}
	if got, err := r.DecryptString(rotated, "providers.credentials:7"); err != nil || got != "provider-credential" {
		t.Fatalf("rotated ciphertext: got %q, %v", got, err)
	}
	again, changed, err := r.Rotate(rotated, []byte("providers.credentials:7"))
	if err != nil || changed || again != rotated {
		t.Fatalf("second Rotate: changed=%v err=%v same=%v", changed, err, again == rotated)
	}
	if _, _, err := r.Rotate(oldCT, []byte("providers.credentials:8")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Rotate with wrong aad: err = %v, want ErrDecrypt", err)
	}
	if r.NeedsRotation("garbage") {
		t.Fatal("NeedsRotation = true for a malformed string")
	}

	// Once k1 is retired, its ciphertexts are reported as such.
	retired := mustParse(t, entrySpec("k2", testKey(2)))
	if _, err := retired.DecryptString(oldCT, "providers.credentials:7"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("after retiring k1: err = %v, want ErrUnknownKey", err)
	}
}

func TestEmptyRing(t *testing.T) {
	t.Parallel()
	var r Ring
	if _, err := r.Encrypt([]byte("x"), nil); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("Encrypt on empty ring: err = %v, want ErrNoKeys", err)
	}
	if _, err := r.DecryptString("v1:k1:AAAA", ""); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Decrypt on empty ring: err = %v, want ErrUnknownKey", err)
	}
}
