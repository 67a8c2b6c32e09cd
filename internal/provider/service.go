package provider

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/outbound"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/secret"
)

// EventStore is the event spine's store; *intake.Store implements it.
type EventStore interface {
	Put(ctx context.Context, in intake.Incoming) (intake.Stored, error)
}

// Service serves providers, instances and their webhooks.
type Service struct {
	DB      *db.DB
	Keys    *secret.Ring
	HTTP    *outbound.Client
	IAM     *iam.Service
	Plans   *plan.Catalog
	Inboxes *inbox.Managed
	// Intake stores each authenticated event (the hub's event spine).
	Intake EventStore
	HubURL string
	Log    *slog.Logger
	Now    func() time.Time
}

// EncryptedColumns of this package, for `whatpro secrets rotate`.
var EncryptedColumns = [][3]string{{"providers", "id", "credentials"}, {"providers", "id", "webhook_token"}}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) adapter(p *Provider) Adapter { return adapterFor(p.Type, s.HTTP) }

func (s *Service) target(p *Provider) (Target, error) {
	raw, err := s.Keys.DecryptString(p.credentials, string(secret.AAD("providers", "credentials", p.ID)))
	if err != nil {
		return Target{}, err
	}
	var c Credentials
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return Target{}, err
	}
	return Target{BaseURL: p.BaseURL, Creds: c}, nil
}

func (s *Service) webhookToken(p *Provider) (string, error) {
	return s.Keys.DecryptString(p.webhookToken, string(secret.AAD("providers", "webhook_token", p.ID)))
}

// webhookURL is where the provider sends events: one URL per provider (Meta
// allows one callback per app); Evolution's carries an unguessable token.
func (s *Service) webhookURL(p *Provider, withToken bool) (string, error) {
	u := s.HubURL + "/webhooks/providers/" + p.ID
	if withToken && p.Type == TypeEvolution {
		tok, err := s.webhookToken(p)
		if err != nil {
			return "", err
		}
		u += "?token=" + tok
	}
	return u, nil
}

// view fills what admins see (never credentials or the URL token).
func (s *Service) view(p *Provider) *Provider {
	p.WebhookURL, _ = s.webhookURL(p, false)
	if p.Type != TypeCloudAPI {
		p.VerifyToken = ""
	}
	return p
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, r *http.Request, accountID, action, resType, resID string, after any) error {
	e := s.IAM.Entry(r, accountID, action, resType, resID)
	e.After = after
	return s.IAM.Audit.Record(ctx, tx, e)
}
