package provider

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
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
	// Refusals limits webhooks that fail authentication, per provider
	// (nil: unlimited); an authenticated one is never limited.
	Refusals *intake.Refusals
	Jobs     Enqueuer // set once the job queue exists
	HubURL   string
	Log      *slog.Logger
	Now      func() time.Time
}

// Enqueuer inserts a River job inside the caller's transaction;
// *jobs.Queue implements it.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// EncryptedColumns of this package, for `whatpro secrets rotate`.
var EncryptedColumns = [][3]string{{"providers", "id", "credentials"}, {"providers", "id", "webhook_token"}}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// adapter is the provider's adapter; a row of a type the hub does not
// speak is refused, never served with defaults.
func (s *Service) adapter(p *Provider) (Adapter, error) { return adapterFor(p.Type, s.HTTP) }

// unsupported answers for a provider whose type the hub does not speak.
var unsupported = httpx.E(httpx.CodeUnprocessable, "the provider's type is not supported by this hub")

func (s *Service) webhookSecrets(p *Provider) (WebhookSecrets, error) {
	t, err := s.target(p)
	if err != nil {
		return WebhookSecrets{}, err
	}
	tok, err := s.webhookToken(p)
	if err != nil {
		return WebhookSecrets{}, err
	}
	return WebhookSecrets{AppSecret: t.Creds.AppSecret, URLToken: tok}, nil
}

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
// allows one callback per app); the adapter adds what authenticates it
// (Evolution's unguessable token).
func (s *Service) webhookURL(p *Provider, withToken bool) (string, error) {
	u := s.HubURL + "/webhooks/providers/" + p.ID
	if !withToken {
		return u, nil
	}
	a, err := s.adapter(p)
	if err != nil {
		return "", unsupported
	}
	tok, err := s.webhookToken(p)
	if err != nil {
		return "", err
	}
	return u + a.CallbackQuery(tok), nil
}

// view fills what admins see (never credentials or the URL token).
func (s *Service) view(p *Provider) *Provider {
	p.WebhookURL, _ = s.webhookURL(p, false)
	if a, err := s.adapter(p); err != nil || !a.UsesVerifyToken() {
		p.VerifyToken = ""
	}
	return p
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, r *http.Request, accountID, action, resType, resID string, after any) error {
	e := s.IAM.Entry(r, accountID, action, resType, resID)
	e.After = after
	return s.IAM.Audit.Record(ctx, tx, e)
}
