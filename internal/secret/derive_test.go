package secret

import (
	"bytes"
	"testing"
)

func TestDerive(t *testing.T) {
	t.Parallel()
	master := testKey(7)
	r := mustParse(t, entrySpec("k2", master)+","+entrySpec("k1", testKey(8)))
	purposes := []string{PurposeJWT, PurposeAuditMAC, PurposeTokenHash, PurposeWebhookToken}
	seen := [][]byte{master, testKey(8)}
	for _, p := range purposes {
		k := r.Derive(p, 32)
		if len(k) != 32 {
			t.Fatalf("%s: len %d", p, len(k))
		}
		for _, other := range seen {
			if bytes.Equal(k, other) {
				t.Fatalf("%s: derived key equals the master key or another purpose's key", p)
			}
		}
		seen = append(seen, k)
		if again := mustParse(t, entrySpec("k2", master)).Derive(p, 32); !bytes.Equal(k, again) {
			t.Fatalf("%s: derived key is not stable across rings with the same key", p)
		}
		if long := r.Derive(p, 64); !bytes.Equal(long[:32], k) {
			t.Fatalf("%s: a longer derivation does not extend the shorter one", p)
		}
	}
}

func TestDeriveAll(t *testing.T) {
	t.Parallel()
	r := mustParse(t, entrySpec("k2", testKey(7))+","+entrySpec("k1", testKey(8)))
	all := r.DeriveAll(PurposeJWT, 32)
	if len(all) != 2 || all[0].ID != "k2" || all[1].ID != "k1" {
		t.Fatalf("DeriveAll ids = %v", all)
	}
	if !bytes.Equal(all[0].Key, r.Derive(PurposeJWT, 32)) {
		t.Fatal("first DeriveAll key differs from Derive (active key)")
	}
	// A token signed before the rotation, when k1 was active, still verifies.
	before := mustParse(t, entrySpec("k1", testKey(8)))
	if !bytes.Equal(all[1].Key, before.Derive(PurposeJWT, 32)) {
		t.Fatal("DeriveAll key for k1 differs from what k1 derived while active")
	}
}

func TestDerivePanicsOnMisuse(t *testing.T) {
	t.Parallel()
	r := mustParse(t, entrySpec("k1", testKey(7)))
	for name, f := range map[string]func(){
		"empty purpose": func() { r.Derive("", 32) },
		"zero length":   func() { r.Derive(PurposeJWT, 0) },
		"too long":      func() { r.Derive(PurposeJWT, 8161) },
		"empty ring":    func() { (&Ring{}).Derive(PurposeJWT, 32) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}
