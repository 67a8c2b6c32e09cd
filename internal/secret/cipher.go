package secret

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// format is the version tag of the ciphertext encoding; a future change of
// algorithm gets a new tag so old rows stay readable.
const format = "v1"

var (
	// ErrUnknownKey means the ciphertext names a key id that is not in the
	// ring, typically because a retired key was removed too early.
	ErrUnknownKey = errors.New("secret: ciphertext key id is not in the ring")
	// ErrDecrypt means the ciphertext is malformed, was altered, or was
	// bound to different additional data.
	ErrDecrypt = errors.New("secret: cannot decrypt")
)

var payloadEncoding = base64.RawURLEncoding.Strict()

// Encrypt seals plaintext with the active key (AES-256-GCM, random 96-bit
// nonce) and returns "v1:<keyid>:<base64url(nonce||ciphertext)>". aad is not
// stored but must be given again to Decrypt; callers pass the row and column
// the secret belongs to (e.g. "chatwoot_links.api_token:<id>") so that a
// ciphertext copied to another row does not decrypt.
func (r *Ring) Encrypt(plaintext, aad []byte) (string, error) {
	e := r.active()
	if e == nil {
		return "", ErrNoKeys
	}
	sealed := e.m.aead.Seal(nil, nil, plaintext, boundAAD(e.id, aad))
	return format + ":" + e.id + ":" + payloadEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a string made by Encrypt with any key of the ring.
func (r *Ring) Decrypt(s string, aad []byte) ([]byte, error) {
	id, payload, err := split(s)
	if err != nil {
		return nil, err
	}
	e := r.lookup(id)
	if e == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	sealed, err := payloadEncoding.DecodeString(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not base64url", ErrDecrypt)
	}
	if len(sealed) < e.m.aead.Overhead() {
		return nil, fmt.Errorf("%w: payload too short", ErrDecrypt)
	}
	plaintext, err := e.m.aead.Open(nil, nil, sealed, boundAAD(id, aad))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed (tampered, wrong key or wrong context)", ErrDecrypt)
	}
	if plaintext == nil {
		plaintext = []byte{}
	}
	return plaintext, nil
}

// EncryptString is Encrypt for string values and contexts.
func (r *Ring) EncryptString(plaintext, aad string) (string, error) {
	return r.Encrypt([]byte(plaintext), []byte(aad))
}

// DecryptString is Decrypt for string values and contexts.
func (r *Ring) DecryptString(s, aad string) (string, error) {
	b, err := r.Decrypt(s, []byte(aad))
	return string(b), err
}

// NeedsRotation reports whether s is a well-formed ciphertext under a key
// other than the active one. It does not authenticate s.
func (r *Ring) NeedsRotation(s string) bool {
	id, _, err := split(s)
	return err == nil && id != r.ActiveID()
}

// Rotate re-encrypts s under the active key. It returns s unchanged and false
// when s already uses the active key, without decrypting it, so a rotation
// sweep over many rows stays cheap.
func (r *Ring) Rotate(s string, aad []byte) (string, bool, error) {
	id, _, err := split(s)
	if err != nil {
		return "", false, err
	}
	if id == r.ActiveID() {
		return s, false, nil
	}
	plaintext, err := r.Decrypt(s, aad)
	if err != nil {
		return "", false, err
	}
	out, err := r.Encrypt(plaintext, aad)
	if err != nil {
		return "", false, err
	}
	return out, true, nil
}

func split(s string) (id, payload string, err error) {
	tag, rest, ok := strings.Cut(s, ":")
	if !ok || tag != format {
		return "", "", fmt.Errorf("%w: not a %s ciphertext", ErrDecrypt, format)
	}
	id, payload, ok = strings.Cut(rest, ":")
	if !ok || !validID(id) {
		return "", "", fmt.Errorf("%w: malformed key id", ErrDecrypt)
	}
	return id, payload, nil
}

// boundAAD authenticates the header along with the caller's context, so the
// version and key id cannot be edited without Open failing. The id cannot
// contain ':', which keeps the concatenation unambiguous.
func boundAAD(id string, aad []byte) []byte {
	b := make([]byte, 0, len(format)+len(id)+2+len(aad))
	b = append(b, format...)
	b = append(b, ':')
	b = append(b, id...)
	b = append(b, ':')
	return append(b, aad...)
}
