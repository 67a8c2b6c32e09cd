// Package gateway owns the bridge between WhatsApp numbers and their
// Chatwoot API inboxes: the identity table (one chat per customer or
// group per number under every name they are known by), the message map
// whose unique keys on both sides are the only dedupe, the ordered work
// lanes (per chat inbound, per conversation outbound) with their dead
// letters, and the consumers of stored provider and inbox events that
// feed them.
package gateway

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/intake"
	outboundhttp "github.com/whatpro/hub/internal/outbound"
	"github.com/whatpro/hub/internal/provider"
)

// Chatwoot gives the handle on an account's linked Chatwoot.
type Chatwoot interface {
	Account(ctx context.Context, accountID string) (*chatwoot.Account, error)
}

// Numbers resolves the number an event concerns.
type Numbers interface {
	NumberBySource(ctx context.Context, accountID, sourceID string) (*provider.Number, error)
	NumberByInbox(ctx context.Context, accountID, inboxID string) (*provider.Number, error)
	NumberByID(ctx context.Context, accountID, instanceID string) (*provider.Number, error)
	NumberByChatwootInbox(ctx context.Context, accountID string, chatwootInboxID int) (*provider.Number, error)
}

// Enqueuer inserts River jobs in a transaction (*jobs.Queue).
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Backlog tells whether a message event older than the given one, from
// the same number (or API inbox) and of the same order key or of none, is
// stored but not handled yet: its messages would join their lane after
// younger ones went on. An empty key asks about every older event of the
// sender. (*intake.Store answers it.)
type Backlog interface {
	OlderPending(ctx context.Context, source, sourceID, orderKey, executionID string) (bool, error)
}

// Quota says whether the plan's max_messages_per_month leaves room for
// one more message.
type Quota interface {
	AllowMessage(ctx context.Context, accountID string) (bool, error)
}

// Meter counts usage (usage.Meter).
type Meter interface {
	Add(accountID, metric string, n int64)
}

// Service is the gateway.
type Service struct {
	DB       *db.DB
	Jobs     Enqueuer
	Chatwoot Chatwoot
	Numbers  Numbers
	Usage    Meter
	Members  Members
	Backlog  Backlog
	Quota    Quota
	// Features tells whether the account's gateway feature is on (nil:
	// always); off, nothing is bridged.
	Features Features
	// IAM builds and records the audit entries of settings changes.
	IAM *iam.Service
	Log *slog.Logger
	Now func() time.Time
	// Settle delays the start of a lane so that events stored together
	// but handled by concurrent jobs join it in their stored order.
	Settle time.Duration
	// MaxAttempts bounds retries of one lane item before it is dead.
	MaxAttempts int
	// MaxMedia caps downloaded media per kind (bytes); Chatwoot's own
	// limit is 40 MB.
	MaxMedia int64
	// HTTP fetches agents' attachments (the guarded outbound client).
	HTTP *outboundhttp.Client
	// Pacing spaces outbound sends per chat and per number.
	Pacing Pacing
	// Metrics feed /metrics (nil: none).
	Metrics *Metrics

	pacer pacer
	quick quickDrains

	idents sync.Map // "<chatwoot account>:<inbox id>" → inbox_identifier
}

// Defaults.
const (
	DefaultSettle      = 150 * time.Millisecond
	DefaultMaxAttempts = 12
	DefaultMaxMedia    = 40 << 20
	holdDelay          = 5 * time.Second
	maxBackoff         = 5 * time.Minute
)

func (s *Service) now() time.Time {
	if s.Now == nil {
		return db.Now()
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) maxAttempts() int {
	if s.MaxAttempts > 0 {
		return s.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (s *Service) maxMedia() int64 {
	if s.MaxMedia > 0 {
		return s.MaxMedia
	}
	return DefaultMaxMedia
}

// Handlers are the gateway's consumers of stored events, keyed as the
// intake dispatcher expects ("source:event").
func (s *Service) Handlers() map[string]intake.EventHandler {
	return map[string]intake.EventHandler{
		"provider:messages.upsert":       s.onProvider,
		"provider:send.message":          s.onProvider,
		"provider:messages.edited":       s.onProvider,
		"provider:messages.delete":       s.onProvider,
		"provider:messages.update":       s.onProvider,
		"provider:messages":              s.onProvider,
		"provider:statuses":              s.onProvider,
		"chatwoot_inbox:message_created": s.onChatwoot,
		"chatwoot_inbox:message_updated": s.onChatwoot,
	}
}

func (s *Service) count(accountID, metric string) {
	if s.Usage != nil {
		s.Usage.Add(accountID, metric, 1)
	}
}
