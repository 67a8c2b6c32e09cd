package chatwoot

import (
	"context"

	"github.com/whatpro/hub/internal/intake"
)

// ChatwootLink gives the webhook intake the link's account and its
// decrypted signing secret and URL token (intake.Secrets).
func (s *Service) ChatwootLink(ctx context.Context, linkID string) (intake.Link, error) {
	l, err := linkByID(ctx, s.DB.Reads(), linkID) // every webhook: a prepared read
	if err != nil {
		return intake.Link{}, err
	}
	secret, err := s.decrypt(l, "webhook_secret", l.webhookSecret)
	if err != nil {
		return intake.Link{}, err
	}
	tok, err := s.decrypt(l, "url_token", l.urlToken)
	if err != nil {
		return intake.Link{}, err
	}
	return intake.Link{AccountID: l.AccountID, Secret: secret, URLToken: tok, URLTokenEnabled: l.URLTokenEnabled && tok != ""}, nil
}
