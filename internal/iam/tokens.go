package iam

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/secret"
)

// AccessTTL is the life of a console access token.
const AccessTTL = 15 * time.Minute

// RefreshTTL is how long a session lives without use of its refresh token.
const RefreshTTL = 30 * 24 * time.Hour

const jwtIssuer = "whatpro"

// accessClaims identify the session; the type claim keeps other JWTs that
// might be signed with the same derivation from ever passing as access.
type accessClaims struct {
	SessionID string `json:"sid"`
	Type      string `json:"typ"`
	jwt.RegisteredClaims
}

// Signer mints and verifies access tokens with keys derived from the ring
// for this purpose only; the kid header names the ring key.
type Signer struct {
	ring *secret.Ring
	now  func() time.Time
	// keys are the ring's JWT keys, active first, derived once: a ring
	// never changes after it is parsed, and HKDF on every request was a
	// tenth of an authenticated request's allocations.
	keys []secret.DerivedKey
	// seen remembers tokens that verified, until they expire: a console
	// makes many requests with one access token, and parsing plus HMAC on
	// each was a fifth of an authenticated request's allocations. A token
	// is immutable, so one that verified once verifies again until its
	// expiry; revocation is the session's business, checked per request.
	mu   sync.RWMutex
	seen map[string]verifiedToken
}

type verifiedToken struct {
	user, session string
	exp           time.Time
}

// maxSeenTokens bounds the verified-token memory (about 1 MiB).
const maxSeenTokens = 4096

// NewSigner builds a Signer; now is injectable for expiry tests.
func NewSigner(ring *secret.Ring, now func() time.Time) *Signer {
	return &Signer{ring: ring, now: now, keys: ring.DeriveAll(secret.PurposeJWT, 32), seen: map[string]verifiedToken{}}
}

// Mint returns a signed access token for the session and its expiry.
func (s *Signer) Mint(userID, sessionID string) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(AccessTTL)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, accessClaims{
		SessionID: sessionID, Type: "access",
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: jwtIssuer, Subject: userID,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp),
		},
	})
	t.Header["kid"] = s.keys[0].ID
	signed, err := t.SignedString(s.keys[0].Key)
	return signed, exp, err
}

// Verify checks an access token and returns (userID, sessionID). The
// algorithm is pinned to HS256; errors are envelope errors that say why.
func (s *Signer) Verify(raw string) (string, string, error) {
	s.mu.RLock()
	v, ok := s.seen[raw]
	s.mu.RUnlock()
	if ok && s.now().Before(v.exp) {
		return v.user, v.session, nil
	}
	user, session, exp, err := s.verify(raw)
	if err != nil {
		return "", "", err
	}
	s.mu.Lock()
	if len(s.seen) >= maxSeenTokens {
		clear(s.seen)
	}
	s.seen[raw] = verifiedToken{user: user, session: session, exp: exp}
	s.mu.Unlock()
	return user, session, nil
}

func (s *Signer) verify(raw string) (string, string, time.Time, error) {
	var c accessClaims
	_, err := jwt.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		for _, k := range s.keys {
			if k.ID == kid {
				return k.Key, nil
			}
		}
		return nil, errors.New("unknown kid")
	}, jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(jwtIssuer), jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", "", time.Time{}, httpx.E(httpx.CodeTokenExpired, "the access token has expired; refresh it")
	case err != nil || c.Type != "access" || c.SessionID == "" || c.Subject == "" || c.ExpiresAt == nil:
		return "", "", time.Time{}, httpx.E(httpx.CodeTokenInvalid, "the access token is not valid")
	}
	return c.Subject, c.SessionID, c.ExpiresAt.Time, nil
}

// randomToken returns prefix + 32 random bytes, URL-safe.
func RandomToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Errorf("crypto/rand: %w", err))
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how opaque tokens are stored: they carry 256 random bits,
// so a plain SHA-256 suffices and survives key rotation.
func HashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}
