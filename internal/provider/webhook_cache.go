package provider

import (
	"context"
	"errors"

	"github.com/whatpro/hub/internal/authcache"
	"github.com/whatpro/hub/internal/db"
)

// hookAuth is what authenticating a provider's webhooks reads: the row,
// its adapter and its decrypted webhook secrets. Shared between requests:
// never modified once cached.
type hookAuth struct {
	p   *Provider
	a   Adapter
	sec WebhookSecrets
}

// errUnsupportedType: the provider's row has a type the hub does not speak.
var errUnsupportedType = errors.New("the provider's type is not one this hub speaks")

// webhookAuth gives Receive the provider, its adapter and secrets. Every
// webhook asks, so the answer is kept in the authorisation cache, which
// forgets it when the provider's account, type, credentials or URL token
// change or the provider goes (migration provider_webhook_cache; this
// process's own writes go through IAM.WriteTx): a rotated secret fails
// the very next delivery.
func (s *Service) webhookAuth(ctx context.Context, id string) (*hookAuth, error) {
	c := s.IAM.Cache
	c.Sync(ctx) // webhook routes are public: the guard did not
	key := "pw:" + id
	if v, ok := authcache.Get[*hookAuth](c, key); ok {
		return v, nil
	}
	gen := c.Gen()
	p, err := providerByID(ctx, s.DB.Reads(), id) // a prepared read
	if err != nil {
		return nil, err // not found is not kept: ids nobody has must not fill the cache
	}
	a, err := s.adapter(p)
	if err != nil {
		return &hookAuth{p: p}, errUnsupportedType
	}
	sec, err := s.webhookSecrets(p)
	if err != nil {
		return nil, err
	}
	v := &hookAuth{p: p, a: a, sec: sec}
	c.Put(gen, key, v)
	return v, nil
}

// routes reports whether key (an Evolution instance name, a Cloud API
// phone number id) names a number of the provider. A number found is kept
// in the authorisation cache until a number's routing key changes or a
// number goes; a key that names none is read again each time.
func (s *Service) routes(ctx context.Context, providerID, key string) (bool, error) {
	c := s.IAM.Cache
	ck := "pr:" + providerID + "\x00" + key
	if _, ok := c.Get(ck); ok {
		return true, nil
	}
	gen := c.Gen()
	_, err := instanceByKey(ctx, s.DB.Reads(), providerID, key)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	c.Put(gen, ck, true)
	return true, nil
}
