package chatwoot

import (
	"context"
	"database/sql"

	"github.com/whatpro/hub/internal/authcache"
	"github.com/whatpro/hub/internal/intake"
)

// ChatwootLink gives the webhook intake the link's account and its
// decrypted signing secret and URL token (intake.Secrets). Every webhook
// asks, so the answer is kept in the authorisation cache, which forgets
// it when the link's account, secret or token changes or the link goes
// (migration webhook_link_cache; this process's own writes go through
// linkTx): a rotated or removed secret fails the very next delivery.
func (s *Service) ChatwootLink(ctx context.Context, linkID string) (intake.Link, error) {
	c := s.cacheOf()
	c.Sync(ctx) // webhook routes are public: the guard did not
	key := "wl:" + linkID
	if l, ok := authcache.Get[intake.Link](c, key); ok {
		return l, nil
	}
	gen := c.Gen()
	l, err := linkByID(ctx, s.DB.Reads(), linkID) // a prepared read
	if err != nil {
		return intake.Link{}, err // not found is not kept: ids nobody has must not fill the cache
	}
	secret, err := s.decrypt(l, "webhook_secret", l.webhookSecret)
	if err != nil {
		return intake.Link{}, err
	}
	tok, err := s.decrypt(l, "url_token", l.urlToken)
	if err != nil {
		return intake.Link{}, err
	}
	out := intake.Link{AccountID: l.AccountID, Secret: secret, URLToken: tok, URLTokenEnabled: l.URLTokenEnabled && tok != ""}
	c.Put(gen, key, out)
	return out, nil
}

// linkTx runs fn in a write transaction and, once it committed, forgets
// the cached webhook links: this process's next delivery sees a changed
// secret or token at once (other instances hear of it from the triggers).
func (s *Service) linkTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	err := s.DB.Tx(ctx, fn)
	if err == nil {
		s.cacheOf().Changed()
	}
	return err
}
