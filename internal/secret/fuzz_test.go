package secret

import (
	"errors"
	"strings"
	"testing"
)

func fuzzRing(t testing.TB) *Ring {
	return mustParse(t, entrySpec("k2", testKey(2))+","+entrySpec("k1", testKey(1)))
}

func FuzzDecrypt(f *testing.F) {
	r := fuzzRing(f)
	old := mustParse(f, entrySpec("k1", testKey(1)))
	f.Add(mustEncrypt(f, r, "token", "row:1"), []byte("row:1"))
	f.Add(mustEncrypt(f, old, "", "row:1"), []byte("row:1"))
	f.Add(mustEncrypt(f, r, "token", ""), []byte("row:2"))
	f.Add("v1:k9:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", []byte(nil))
	f.Add("v1:k1:", []byte(nil))
	f.Add("v1::", []byte(nil))
	f.Add("v1", []byte(nil))
	f.Fuzz(func(t *testing.T, s string, aad []byte) {
		pt, err := r.Decrypt(s, aad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("Decrypt error %v is neither ErrDecrypt nor ErrUnknownKey", err)
			}
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
		}
		rotated, changed, rerr := r.Rotate(s, aad)
		if changed {
			if err != nil || rerr != nil {
				t.Fatalf("Rotate changed an undecryptable ciphertext (decrypt err %v, rotate err %v)", err, rerr)
			}
			again, err := r.Decrypt(rotated, aad)
			if err != nil || string(again) != string(pt) {
				t.Fatalf("rotated ciphertext does not decrypt to the same plaintext: %v", err)
			}
		}
		if r.NeedsRotation(s) && !strings.HasPrefix(s, "v1:") {
			t.Fatalf("NeedsRotation true for %q", s)
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add(entrySpec("k1", testKey(1)))
	f.Add(entrySpec("k2", testKey(2)) + ", " + entrySpec("k1", testKey(1)))
	f.Add("k1:" + strings.Repeat("A", 43))
	f.Add("k1:,k2:")
	f.Add(":" + strings.Repeat("_", 43))
	f.Add("k1:k1:k1")
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := Parse(spec)
		if err != nil {
			if !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("error %v does not wrap ErrInvalidSpec", err)
			}
			// A 32-byte key takes at least 43 base64 characters, more than
			// an id or any fixed text of ours, so 40 characters of the input
			// key in the message means key material leaked.
			for _, part := range strings.Split(spec, ",") {
				if _, key, ok := strings.Cut(part, ":"); ok && len(strings.TrimSpace(key)) >= 40 &&
					strings.Contains(err.Error(), strings.TrimSpace(key)) {
					t.Fatalf("error %q repeats key material", err)
				}
			}
			return
		}
		ids := r.IDs()
		if len(ids) == 0 {
			t.Fatal("Parse succeeded with no keys")
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if !validID(id) || seen[id] {
				t.Fatalf("invalid or duplicate id %q accepted", id)
			}
			seen[id] = true
		}
		s, err := r.EncryptString("x", "aad")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := r.DecryptString(s, "aad"); err != nil || got != "x" {
			t.Fatalf("round trip with parsed ring: %q, %v", got, err)
		}
	})
}
