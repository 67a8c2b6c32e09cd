package iam

import (
	"context"
	"errors"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// TokenChecker re-checks an instance token by id (long-lived connections
// that authenticated once, such as WebSockets, ask again every few seconds).
type TokenChecker interface {
	CheckInstanceToken(ctx context.Context, id string) error
}

// Revalidate answers whether a principal resolved earlier is still alive:
// its session not revoked or expired and its user active, its API key not
// revoked or expired, its instance token not revoked or expired. The error
// is the one a new request would get.
func (s *Service) Revalidate(ctx context.Context, p *Principal) error {
	now := s.now()
	switch p.Kind {
	case KindUser:
		sess, err := s.sessionAuth(ctx, p.SessionID)
		if errors.Is(err, db.ErrNotFound) || (err == nil && sess.UserID != p.UserID) {
			return httpx.E(httpx.CodeSessionRevoked, "this session has ended; log in again")
		} else if err != nil {
			return err
		}
		if sess.Revoked || !sess.ExpiresAt.After(now) {
			return httpx.E(httpx.CodeSessionRevoked, "this session has ended; log in again")
		}
	case KindAPIKey:
		k, err := s.cachedKey(ctx, "i", p.KeyID)
		switch {
		case errors.Is(err, db.ErrNotFound):
			return httpx.E(httpx.CodeTokenRevoked, "the API key was revoked")
		case err != nil:
			return err
		case k.RevokedAt != nil:
			return httpx.E(httpx.CodeTokenRevoked, "the API key was revoked")
		case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
			return httpx.E(httpx.CodeTokenExpired, "the API key has expired")
		}
	case KindInstanceToken:
		checker, ok := s.InstanceTokens.(TokenChecker)
		if !ok {
			return httpx.E(httpx.CodeTokenInvalid, "the instance token is not valid")
		}
		if err := checker.CheckInstanceToken(ctx, p.KeyID); err != nil {
			return err
		}
	default:
		return httpx.E(httpx.CodeTokenInvalid, "unknown principal")
	}
	active, err := s.userActive(ctx, p.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return httpx.E(httpx.CodeSessionRevoked, "this user no longer exists")
	} else if err != nil {
		return err
	}
	if !active {
		return httpx.E(httpx.CodeSessionRevoked, "this user is disabled")
	}
	return nil
}
