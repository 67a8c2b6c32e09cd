package iam_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/secret"
)

func ring(t *testing.T, spec string) *secret.Ring {
	t.Helper()
	r, err := secret.Parse(spec)
	must(t, err)
	return r
}

func keySpec(id string, b byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(rune('a'+b)), 32)))
}

func errCode(err error) string {
	var he *httpx.Error
	if errors.As(err, &he) {
		return he.Code
	}
	return ""
}

// The signer is rotation-ready (kid names the ring key), pins HS256 and
// checks issuer, type and expiry.
func TestSigner(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	old, rotated, onlyNew := ring(t, keySpec("k1", 1)), ring(t, keySpec("k2", 2)+","+keySpec("k1", 1)), ring(t, keySpec("k2", 2))

	tok, exp, err := iam.NewSigner(old, clock).Mint("user-1", "sess-1")
	must(t, err)
	if !exp.Equal(now.Add(iam.AccessTTL)) {
		t.Errorf("expiry %v, want now+%v", exp, iam.AccessTTL)
	}
	parsed, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	must(t, err)
	if parsed.Header["kid"] != "k1" || parsed.Header["alg"] != "HS256" {
		t.Errorf("header %v: want kid k1, alg HS256", parsed.Header)
	}

	for _, tc := range []struct {
		name   string
		ring   *secret.Ring
		at     time.Time
		tok    string
		code   string
		user   string
		sessID string
	}{
		{name: "same ring", ring: old, at: now, tok: tok, user: "user-1", sessID: "sess-1"},
		{name: "after rotation the old kid still verifies", ring: rotated, at: now, tok: tok, user: "user-1", sessID: "sess-1"},
		{name: "once the old key is dropped", ring: onlyNew, at: now, tok: tok, code: "TOKEN_INVALID"},
		{name: "one second before expiry", ring: old, at: now.Add(iam.AccessTTL - time.Second), tok: tok, user: "user-1", sessID: "sess-1"},
		{name: "expired", ring: old, at: now.Add(iam.AccessTTL + time.Second), tok: tok, code: "TOKEN_EXPIRED"},
		{name: "empty", ring: old, at: now, tok: "", code: "TOKEN_INVALID"},
		{name: "garbage", ring: old, at: now, tok: "x.y.z", code: "TOKEN_INVALID"},
	} {
		at := tc.at
		user, sess, err := iam.NewSigner(tc.ring, func() time.Time { return at }).Verify(tc.tok)
		if errCode(err) != tc.code || user != tc.user || sess != tc.sessID {
			t.Errorf("%s: (%q, %q, %v), want (%q, %q, code %q)", tc.name, user, sess, err, tc.user, tc.sessID, tc.code)
		}
	}

	// Tokens signed any other way are refused, even with the right key.
	key := old.Derive(secret.PurposeJWT, 32)
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"sid": "s", "sub": "u", "typ": "access", "iss": "whatpro", "exp": now.Add(time.Minute).Unix()}
	}
	without := func(k string) jwt.MapClaims { c := base(); delete(c, k); return c }
	with := func(k string, v any) jwt.MapClaims { c := base(); c[k] = v; return c }
	v := iam.NewSigner(old, clock)
	for _, tc := range []struct {
		name   string
		method jwt.SigningMethod
		key    any
		kid    string
		claims jwt.MapClaims
		code   string
	}{
		{"control", jwt.SigningMethodHS256, key, "k1", base(), ""},
		{"no kid", jwt.SigningMethodHS256, key, "", base(), "TOKEN_INVALID"},
		{"alg none", jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", base(), "TOKEN_INVALID"},
		{"HS384", jwt.SigningMethodHS384, key, "k1", base(), "TOKEN_INVALID"},
		{"raw ring key", jwt.SigningMethodHS256, []byte(strings.Repeat("b", 32)), "k1", base(), "TOKEN_INVALID"},
		{"key of another purpose", jwt.SigningMethodHS256, old.Derive(secret.PurposeTokenHash, 32), "k1", base(), "TOKEN_INVALID"},
		{"no exp", jwt.SigningMethodHS256, key, "k1", without("exp"), "TOKEN_INVALID"},
		{"no sid", jwt.SigningMethodHS256, key, "k1", without("sid"), "TOKEN_INVALID"},
		{"no sub", jwt.SigningMethodHS256, key, "k1", without("sub"), "TOKEN_INVALID"},
		{"other issuer", jwt.SigningMethodHS256, key, "k1", with("iss", "chatwoot"), "TOKEN_INVALID"},
		{"other type", jwt.SigningMethodHS256, key, "k1", with("typ", "refresh"), "TOKEN_INVALID"},
		{"not yet valid", jwt.SigningMethodHS256, key, "k1", with("nbf", now.Add(time.Hour).Unix()), "TOKEN_INVALID"},
		{"kid not a string", jwt.SigningMethodHS256, key, "", with("x", 1), "TOKEN_INVALID"},
	} {
		tok := forge(t, tc.method, tc.key, tc.kid, tc.claims)
		if tc.name == "kid not a string" {
			tk := jwt.NewWithClaims(jwt.SigningMethodHS256, tc.claims)
			tk.Header["kid"] = 1
			tok, err = tk.SignedString(key)
			must(t, err)
		}
		if _, _, err := v.Verify(tok); errCode(err) != tc.code {
			t.Errorf("%s: err %v, want code %q", tc.name, err, tc.code)
		}
	}
}

// A token that verified is remembered, but the memory never outlives the
// token: once its expiry passes, the same signer answers TOKEN_EXPIRED.
func TestSignerRemembersUntilExpiry(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	s := iam.NewSigner(ring(t, keySpec("k1", 1)), clock)
	tok, _, err := s.Mint("user-1", "sess-1")
	must(t, err)
	for range 2 {
		if user, sess, err := s.Verify(tok); err != nil || user != "user-1" || sess != "sess-1" {
			t.Fatalf("verify: (%q, %q, %v)", user, sess, err)
		}
	}
	now = now.Add(iam.AccessTTL + time.Second)
	if _, _, err := s.Verify(tok); errCode(err) != "TOKEN_EXPIRED" {
		t.Fatalf("after expiry: %v, want TOKEN_EXPIRED", err)
	}
	// A tampered copy of a remembered token is still checked in full.
	now = now.Add(-2 * time.Second)
	if _, _, err := s.Verify(tok + "x"); errCode(err) != "TOKEN_INVALID" {
		t.Fatalf("tampered: %v, want TOKEN_INVALID", err)
	}
}
