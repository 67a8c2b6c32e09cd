package chatwoot

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/secret"
)

// Service serves the Chatwoot link, SSO and instance token routes.
type Service struct {
	DB        *db.DB
	Keys      *secret.Ring
	Client    *Client
	IAM       *iam.Service
	PublicURL *url.URL // the hub's own external URL (webhook and embed URLs)
	Now       func() time.Time
	// OnLinkChange runs after a link is created, changed or removed
	// (the embed origins cache listens).
	OnLinkChange func()
	// OriginOf reports whether a canonical origin is one of the account's
	// (embed.Origins.BelongsTo); nil refuses every foreign origin.
	OriginOf func(ctx context.Context, origin, accountID string) bool
	// InboxContext answers what the conversation tab shows about a Chatwoot
	// inbox of the account: its name and the hub number serving it
	// (provider.Service.InboxContext); nil leaves it out.
	InboxContext func(ctx context.Context, accountID string, chatwootInboxID int) (any, error)

	sso      singleflight.Group
	cacheMu  sync.Mutex
	cache    map[string]ssoCacheEntry
	failures failureLimiter
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// HubOrigin is the origin of the hub's own pages.
func (s *Service) HubOrigin() string { o, _ := Origin(s.PublicURL.String()); return o }

func (s *Service) hubURL(path string) string { return s.PublicURL.String() + path }

// ConversationTabURL is the Dashboard App URL installed for an account.
func (s *Service) ConversationTabURL(accountID string) string {
	return s.hubURL("/embed/conversation?account=" + url.QueryEscape(accountID))
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, r *http.Request, accountID, action, resID string, after any) error {
	e := s.IAM.Entry(r, accountID, action, "chatwoot_link", resID)
	e.After = after
	return s.IAM.Audit.Record(ctx, tx, e)
}

func (s *Service) decrypt(l *Link, col, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	return s.Keys.DecryptString(v, string(aad(l.ID, col)))
}

func (s *Service) encrypt(l *Link, col, v string) (string, error) {
	return s.Keys.EncryptString(v, string(aad(l.ID, col)))
}

// upstream turns a Chatwoot failure into a clear client error.
func upstream(err error) error {
	if err == ErrUnauthorized {
		return httpx.E(httpx.CodeUnprocessable, "Chatwoot refused the access token for that account")
	}
	return &httpx.Error{Code: httpx.CodeUpstream, Message: "Chatwoot could not be reached or answered unexpectedly: " + clientSafe(err), Cause: err}
}

func clientSafe(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

func (s *Service) originOf(ctx context.Context, origin, accountID string) bool {
	return s.OriginOf != nil && s.OriginOf(ctx, origin, accountID)
}

func (s *Service) linkChanged() {
	if s.OnLinkChange != nil {
		s.OnLinkChange()
	}
}

// AccountForInstallation returns the hub account linked to a Chatwoot
// account of the installation at origin.
func (s *Service) AccountForInstallation(r *http.Request, origin string, chatwootAccountID int) (string, error) {
	l, err := linkByInstallation(r.Context(), s.DB.R, origin, chatwootAccountID)
	if err != nil {
		return "", err
	}
	return l.AccountID, nil
}
