package iam

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

const apiKeyPrefix = "wp_live_"

var errNoCredentials = httpx.E(httpx.CodeUnauthorized, "credentials are required")

// Authenticate resolves the request's credentials into a principal. Every
// console request re-checks its session row, so a revoked session fails on
// the very next request on every instance.
func (s *Service) Authenticate(r *http.Request) (*Principal, error) {
	tok := r.Header.Get("X-API-Key")
	if tok != "" && !strings.HasPrefix(tok, apiKeyPrefix) {
		return nil, httpx.E(httpx.CodeTokenInvalid, "X-API-Key takes an API key (wp_live_…)")
	}
	if tok == "" {
		auth := r.Header.Get("Authorization")
		if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
			tok = strings.TrimSpace(auth[7:])
		}
	}
	switch {
	case tok == "":
		return nil, errNoCredentials
	case strings.HasPrefix(tok, apiKeyPrefix):
		p, err := s.authAPIKey(r.Context(), tok)
		if err == nil && !s.originMayUse(r, p.AccountID) {
			return nil, errWrongOrigin
		}
		return p, err
	case strings.HasPrefix(tok, "wpi_"):
		if s.InstanceTokens == nil {
			return nil, httpx.E(httpx.CodeTokenInvalid, "the token is not valid")
		}
		return s.InstanceTokens.Resolve(r.Context(), tok, r)
	case strings.HasPrefix(tok, "wpr_"):
		return nil, httpx.E(httpx.CodeTokenInvalid, "a refresh token is not an access token")
	default:
		p, err := s.authSession(r.Context(), tok)
		if err == nil && !s.originMayUse(r, "") {
			return nil, errWrongOrigin
		}
		return p, err
	}
}

var errWrongOrigin = httpx.E(httpx.CodeTokenInvalid, "this credential is not valid from this origin")

// originMayUse says whether a credential of accountID ("" for a console
// session, which only the hub's own pages hold) may be presented from the
// request's Origin: none (a script), the console's, or one of the
// account's own origins. Instance tokens are checked by their resolver.
func (s *Service) originMayUse(r *http.Request, accountID string) bool {
	o := r.Header.Get("Origin")
	if o == "" || slices.Contains(s.ConsoleOrigins, o) {
		return true
	}
	canon := httpx.CanonicalOrigin(o)
	return accountID != "" && canon != "" && s.OriginOf != nil && s.OriginOf(r.Context(), canon, accountID)
}

func (s *Service) authSession(ctx context.Context, tok string) (*Principal, error) {
	userID, sessionID, err := s.Signer.Verify(tok)
	if err != nil {
		return nil, err
	}
	a, err := s.sessionAuth(ctx, sessionID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && a.UserID != userID) {
		return nil, httpx.E(httpx.CodeTokenInvalid, "the access token is not valid")
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if a.Revoked || !a.ExpiresAt.After(now) {
		return nil, httpx.E(httpx.CodeSessionRevoked, "this session has ended; log in again")
	}
	if !a.Active {
		return nil, httpx.E(httpx.CodeSessionRevoked, "this user is disabled")
	}
	s.touchSessionLater(a, sessionID, now)
	return &Principal{Kind: KindUser, UserID: userID, SessionID: sessionID, SuperAdmin: a.SuperAdmin, MFAPending: a.MFAPending}, nil
}

// API keys are wp_live_<prefix>.<secret>: the prefix finds the row, the
// secret is compared by hash in constant time.
func (s *Service) authAPIKey(ctx context.Context, tok string) (*Principal, error) {
	invalid := httpx.E(httpx.CodeTokenInvalid, "the API key is not valid")
	prefix, sec, ok := strings.Cut(strings.TrimPrefix(tok, apiKeyPrefix), ".")
	if !ok || prefix == "" || sec == "" || len(tok) > 200 || !urlSafe(prefix) || !urlSafe(sec) {
		return nil, invalid
	}
	k, err := s.cachedKey(ctx, "", prefix)
	if errors.Is(err, db.ErrNotFound) {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(HashToken(tok)), []byte(k.secretHash)) != 1 {
		return nil, invalid
	}
	now := s.now()
	switch {
	case k.RevokedAt != nil:
		return nil, httpx.E(httpx.CodeTokenRevoked, "the API key was revoked")
	case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
		return nil, httpx.E(httpx.CodeTokenExpired, "the API key has expired")
	}
	s.touchKeyLater(k, now)
	return &Principal{Kind: KindAPIKey, KeyID: k.ID, UserID: k.CreatedBy, AccountID: k.AccountID, Scopes: k.Scopes}, nil
}

// urlSafe reports whether s uses only the base32/base64url alphabet our
// keys are made of; anything else is no key of ours (and other bytes would
// make PostgreSQL fail the lookup).
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
