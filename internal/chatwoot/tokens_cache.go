package chatwoot

import (
	"context"
	"time"

	"github.com/whatpro/hub/internal/authcache"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
)

// cachedToken is tokenByHash through the authorisation cache, which
// forgets it when any instance token or account changes.
func (s *Service) cachedToken(ctx context.Context, tok string) (*instanceToken, error) {
	c := s.cacheOf()
	key := "t:" + iam.HashToken(tok)
	if t, ok := authcache.Get[*instanceToken](c, key); ok {
		return t, nil
	}
	gen := c.Gen()
	t, err := tokenByHash(ctx, s.DB.R, tok)
	if err != nil {
		return nil, err
	}
	c.Put(gen, key, t)
	return t, nil
}

type tokenState struct {
	expires time.Time
	revoked *time.Time
}

func (s *Service) tokenStateByID(ctx context.Context, id string) (time.Time, *time.Time, error) {
	c := s.cacheOf()
	key := "ti:" + id
	if st, ok := authcache.Get[*tokenState](c, key); ok {
		return st.expires, st.revoked, nil
	}
	gen := c.Gen()
	st := &tokenState{}
	err := s.DB.R.QueryRowContext(ctx, `SELECT expires_at, revoked_at FROM instance_tokens WHERE id = $1`, id).Scan(&st.expires, &st.revoked)
	if err != nil {
		return time.Time{}, nil, db.Translate(err)
	}
	c.Put(gen, key, st)
	return st.expires, st.revoked, nil
}

func (s *Service) cacheOf() *authcache.Cache {
	if s.IAM == nil {
		return nil
	}
	return s.IAM.Cache
}
