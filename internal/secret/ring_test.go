package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	k1, k2 := testKey(0x11), testKey(0x22)
	tests := []struct {
		name, spec string
		ids        []string
	}{
		{"one std", entrySpec("k1", k1), []string{"k1"}},
		{"raw url", "k1:" + base64.RawURLEncoding.EncodeToString(k1), []string{"k1"}},
		{"raw std", "k1:" + base64.RawStdEncoding.EncodeToString(k1), []string{"k1"}},
		{"two, spaces and newline", " " + entrySpec("new_2", k2) + " , " + entrySpec("old-1", k1) + "\n", []string{"new_2", "old-1"}},
		{"long id", entrySpec(strings.Repeat("a", 32), k1), []string{strings.Repeat("a", 32)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParse(t, tt.spec)
			if !slices.Equal(r.IDs(), tt.ids) || r.ActiveID() != tt.ids[0] {
				t.Fatalf("ids = %v active = %q, want %v", r.IDs(), r.ActiveID(), tt.ids)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	key := testKey(0x5a)
	keyB64 := base64.StdEncoding.EncodeToString(key)
	short := base64.StdEncoding.EncodeToString(key[:16])
	long := base64.StdEncoding.EncodeToString(append(key, key...))
	tests := []struct {
		name, spec, want string
		secrets          []string // must not appear in the error
	}{
		{"empty", "", "no keys", nil},
		{"blank", "  \n", "no keys", nil},
		{"empty entry", entrySpec("k1", key) + ",,", "entry 2: empty entry", []string{keyB64}},
		{"no id", keyB64, `entry 1: missing "id:"`, []string{keyB64}},
		{"reversed", keyB64 + ":k1", "entry 1: invalid id", []string{keyB64}},
		{"bad id char", "k.1:" + keyB64, "entry 1: invalid id", []string{keyB64}},
		{"id too long", strings.Repeat("a", 33) + ":" + keyB64, "entry 1: invalid id", []string{keyB64}},
		{"bad base64", "k1:" + keyB64[:20] + "*" + keyB64[21:], `entry 1 (id "k1"): key is not valid base64`, []string{keyB64[:20], keyB64[21:]}},
		{"short key", entrySpec("k1", key) + ",k2:" + short, `entry 2 (id "k2"): key must decode to 32 bytes, got 16`, []string{keyB64, short}},
		{"long key", "k1:" + long, "got 64", []string{long, keyB64}},
		{"empty key", "k1:", `entry 1 (id "k1"): key is empty`, nil},
		{"duplicate id", entrySpec("k1", key) + "," + entrySpec("k1", testKey(1)), `entry 2 (id "k1"): duplicate id (also entry 1)`, []string{keyB64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.spec)
			if err == nil {
				t.Fatalf("Parse accepted %q: %v", tt.spec, r)
			}
			if !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("err %v does not wrap ErrInvalidSpec", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tt.want)
			}
			for _, s := range tt.secrets {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("err %q leaks key material %q", err, s)
				}
			}
		})
	}
}

// TestNoKeyMaterialInOutput prints a ring every way a careless caller might
// and looks for the key in the encodings a log line could contain.
func TestNoKeyMaterialInOutput(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdefghijklmnopqrstuv") // printable, so %s would show it
	r := mustParse(t, entrySpec("live", key)+","+entrySpec("old", testKey(0xab)))
	leaks := []string{
		string(key), hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key),
		fmt.Sprint(key[:4])[1:10], "ab ab ab", "171 171 171", "ABABAB", "q6ur", // testKey(0xab) forms
	}
	type holder struct {
		Exported   *Ring
		unexported *Ring
		byValue    Ring
		Derived    DerivedKey
	}
	h := holder{Exported: r, unexported: r, byValue: *r, Derived: r.DeriveAll(PurposeJWT, 32)[1]}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q"} {
		outputs = append(outputs, fmt.Sprintf(verb, r), fmt.Sprintf(verb, *r), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h))
	}
	outputs = append(outputs, r.String(), r.GoString())
	for _, newHandler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(newHandler(&buf)).Info("start", "ring", r, "ring_value", *r, "holder", h,
			"derived", h.Derived, "all", r.DeriveAll(PurposeJWT, 32))
		outputs = append(outputs, buf.String())
	}
	for _, out := range outputs {
		if !strings.Contains(out, "live") && !strings.Contains(out, "0x") {
			t.Errorf("output shows neither key ids nor pointers: %s", out)
		}
		for _, leak := range leaks {
			if strings.Contains(out, leak) {
				t.Errorf("output contains key material %q: %s", leak, out)
			}
		}
		for _, dk := range r.DeriveAll(PurposeJWT, 32) {
			if strings.Contains(out, base64.StdEncoding.EncodeToString(dk.Key)) || strings.Contains(out, fmt.Sprint(dk.Key)[1:12]) {
				t.Errorf("output contains a derived key: %s", out)
			}
		}
	}
}
