// Package secret owns the hub's master keys: it parses the key ring
// (WHATPRO_SECRET_KEYS), encrypts secrets stored at rest (Chatwoot tokens,
// provider credentials, webhook secrets) so that keys can rotate, derives
// independent per-purpose keys (JWT, audit MAC, token hashing) and creates the
// development key file on first run.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// KeySize is the length of every master key: AES-256.
const KeySize = 32

var (
	// ErrInvalidSpec is wrapped by every Parse error.
	ErrInvalidSpec = errors.New("secret: invalid key ring spec")
	// ErrNoKeys is returned when a Ring without keys is asked to encrypt.
	ErrNoKeys = errors.New("secret: key ring is empty")
)

type entry struct {
	id string
	// Key bytes sit behind a second pointer: when fmt walks a struct by
	// reflection (an unexported Ring field, or a verb such as %s that a
	// pointer does not support) it dereferences at most one pointer level
	// and prints deeper pointers as addresses.
	m *material
}

type material struct {
	key  []byte
	aead cipher.AEAD
}

// Ring is an ordered set of master keys; the first one is active (used for
// new ciphertexts and derived keys), the others only decrypt or verify.
// Build one with Parse.
type Ring struct {
	keys []*entry
}

// Parse reads a spec of the form "id1:base64key,id2:base64key". The key may
// be standard or URL-safe base64, padded or not, and must decode to KeySize
// bytes. Errors name the entry by position (and id once it is known to be
// valid) but never repeat what was given as key material.
func Parse(spec string) (*Ring, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("%w: no keys given", ErrInvalidSpec)
	}
	r := &Ring{}
	seen := make(map[string]int)
	for i, part := range strings.Split(spec, ",") {
		pos := i + 1
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, specError(pos, "", "empty entry")
		}
		id, encoded, ok := strings.Cut(part, ":")
		if !ok {
			return nil, specError(pos, "", `missing "id:" before the key`)
		}
		id = strings.TrimSpace(id)
		// The id is not echoed when invalid: a spec written the wrong way
		// round would put the key where the id belongs.
		if !validID(id) {
			return nil, specError(pos, "", "invalid id (want 1 to 32 of A-Z a-z 0-9 _ -)")
		}
		if prev, dup := seen[id]; dup {
			return nil, specError(pos, id, fmt.Sprintf("duplicate id (also entry %d)", prev))
		}
		seen[id] = pos
		key, err := decodeKey(strings.TrimSpace(encoded))
		if err != nil {
			return nil, specError(pos, id, err.Error())
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, specError(pos, id, "unusable AES key")
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, specError(pos, id, "unusable AES-GCM key")
		}
		r.keys = append(r.keys, &entry{id: id, m: &material{key: key, aead: aead}})
	}
	return r, nil
}

func specError(pos int, id, msg string) error {
	if id == "" {
		return fmt.Errorf("%w: entry %d: %s", ErrInvalidSpec, pos, msg)
	}
	return fmt.Errorf("%w: entry %d (id %q): %s", ErrInvalidSpec, pos, id, msg)
}

// decodeKey returns errors of its own making only; base64 errors carry
// offsets into the key, which is more than a log line should know.
func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("key is empty")
	}
	encodings := []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	}
	for _, enc := range encodings {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("key must decode to %d bytes, got %d", KeySize, len(key))
		}
		return key, nil
	}
	return nil, errors.New("key is not valid base64")
}

func validID(id string) bool {
	if len(id) < 1 || len(id) > 32 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

func (r *Ring) active() *entry {
	if r == nil || len(r.keys) == 0 {
		return nil
	}
	return r.keys[0]
}

func (r *Ring) lookup(id string) *entry {
	if r == nil {
		return nil
	}
	for _, e := range r.keys {
		if e.id == id {
			return e
		}
	}
	return nil
}

// ActiveID is the id of the key used for new ciphertexts.
func (r *Ring) ActiveID() string {
	if e := r.active(); e != nil {
		return e.id
	}
	return ""
}

// IDs lists the key ids, active first.
func (r *Ring) IDs() []string {
	if r == nil {
		return nil
	}
	ids := make([]string, len(r.keys))
	for i, e := range r.keys {
		ids[i] = e.id
	}
	return ids
}

// The formatting methods use value receivers so that a Ring held by value,
// not only *Ring, is printed safely; Format covers every verb, including
// %d and %x, which would otherwise walk the struct.

// String shows key ids only.
func (r Ring) String() string {
	return fmt.Sprintf("secret.Ring{active: %q, ids: %q}", r.ActiveID(), r.IDs())
}

// GoString shows key ids only.
func (r Ring) GoString() string { return r.String() }

// Format shows key ids only, whatever the verb.
func (r Ring) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, r.String()) }

// LogValue shows key ids only.
func (r Ring) LogValue() slog.Value {
	return slog.GroupValue(slog.String("active", r.ActiveID()), slog.Any("ids", r.IDs()))
}
