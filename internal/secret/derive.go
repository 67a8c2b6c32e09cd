package secret

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"golang.org/x/crypto/hkdf"
)

// Purposes for Derive. Each names one use; two uses must never share a
// purpose, or they would share key bytes.
const (
	PurposeJWT          = "jwt-hs256"
	PurposeAuditMAC     = "audit-chain-hmac"
	PurposeTokenHash    = "token-hash-hmac"
	PurposeWebhookToken = "webhook-url-token"
)

const maxDerived = 255 * sha256.Size // HKDF-SHA256 output limit (RFC 5869)

// DerivedKey is a per-purpose key together with the id of the master key it
// came from, so a verifier can pick it by id (e.g. a JWT "kid").
type DerivedKey struct {
	ID  string
	Key []byte
}

// Format shows the id only, whatever the verb.
func (k DerivedKey) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "secret.DerivedKey{ID: %q, Key: <redacted>}", k.ID)
}

// LogValue shows the id only.
func (k DerivedKey) LogValue() slog.Value { return slog.StringValue(k.ID) }

// MarshalJSON writes the id only: slog's JSON handler marshals a slice of
// DerivedKey without asking each element for its LogValue.
func (k DerivedKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ ID string }{k.ID})
}

// Derive returns n bytes of HKDF-SHA256 output from the active key with info
// "whatpro/"+purpose. Different purposes give unrelated keys, none of which
// reveals the master key used for AES-GCM. It panics on an empty purpose, an
// n outside 1..8160, or an empty ring: all are programming errors.
func (r *Ring) Derive(purpose string, n int) []byte {
	e := r.active()
	if e == nil {
		panic(ErrNoKeys)
	}
	return derive(e.m.key, purpose, n)
}

// DeriveAll derives the purpose key from every key of the ring, active first,
// so that verifiers keep accepting what was signed before a rotation.
func (r *Ring) DeriveAll(purpose string, n int) []DerivedKey {
	if r.active() == nil {
		panic(ErrNoKeys)
	}
	out := make([]DerivedKey, len(r.keys))
	for i, e := range r.keys {
		out[i] = DerivedKey{ID: e.id, Key: derive(e.m.key, purpose, n)}
	}
	return out
}

func derive(master []byte, purpose string, n int) []byte {
	if purpose == "" {
		panic("secret: Derive needs a purpose")
	}
	if n < 1 || n > maxDerived {
		panic(fmt.Sprintf("secret: Derive length %d outside 1..%d", n, maxDerived))
	}
	// No salt: the master keys are uniformly random, which is the case
	// RFC 5869 §3.1 allows to skip it for.
	out := make([]byte, n)
	if _, err := io.ReadFull(hkdf.New(sha256.New, master, nil, []byte("whatpro/"+purpose)), out); err != nil {
		panic(err) // unreachable: n is within the HKDF limit
	}
	return out
}
