// Package intake owns the hub's event spine: the one store every external
// event enters through (Chatwoot account webhooks and API-inbox callbacks,
// which it also verifies, provider webhooks and platform events), with
// secrets redacted and duplicates counted once; the registry of consumers,
// each running its own execution of an event (claimed in batches by the
// Dispatcher); the admin API over stored events; and the purge of old
// payloads.
package intake

import (
	"context"
	"database/sql"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Sources of stored events: an account webhook of a Chatwoot link, the
// webhook_url callback of an API inbox the hub created, a WhatsApp
// provider's webhook (and SourcePlatform, the operator's events).
const (
	SourceChatwoot      = "chatwoot"
	SourceChatwootInbox = "chatwoot_inbox"
	SourceProvider      = "provider"
)

// Statuses of an execution: received → processing → done | failed | dead
// | ignored. failed is due again after a backoff; done, ignored and dead
// are final.
const (
	StatusReceived   = "received"
	StatusProcessing = "processing"
	StatusDone       = "done"
	StatusFailed     = "failed"
	StatusDead       = "dead"
	StatusIgnored    = "ignored"
)

// ValidStatus reports whether s is one of the statuses above.
func ValidStatus(s string) bool {
	switch s {
	case StatusReceived, StatusProcessing, StatusDone, StatusFailed, StatusDead, StatusIgnored:
		return true
	}
	return false
}

// Defaults used when the corresponding setting is zero.
const (
	DefaultMaxBody       = 1 << 20 // bytes of one webhook body
	DefaultMaxAttempts   = 10      // attempts of one execution
	DefaultRetentionDays = 30      // days a processed payload is kept
	// MaxSkew is how far X-Chatwoot-Timestamp may be from the hub's clock,
	// in either direction.
	MaxSkew = 5 * time.Minute
)

// Link is what the intake needs to know about a Chatwoot link or an API
// inbox link: whose it is and how its deliveries are authenticated.
type Link struct {
	AccountID string
	// Secret is the plaintext HMAC secret Chatwoot generated; "" if none.
	Secret string
	// URLToken is the hub-generated ?token= accepted, when enabled, from
	// Chatwoot versions that do not sign (account webhooks before 4.12,
	// API-inbox callbacks before 4.13) and only when the link has no Secret.
	URLToken        string
	URLTokenEnabled bool
}

// Secrets resolves link ids from webhook URLs. Unknown ids return
// db.ErrNotFound.
type Secrets interface {
	ChatwootLink(ctx context.Context, linkID string) (Link, error)
	ChatwootInboxLink(ctx context.Context, inboxLinkID string) (Link, error)
}

// Refresher re-reads an API inbox's secret from Chatwoot (an admin GET,
// never reset_secret) when a signed callback does not verify with the
// recorded one. It limits how often it asks Chatwoot.
type Refresher interface {
	RefreshChatwootInboxLink(ctx context.Context, inboxLinkID string) (Link, error)
}

// Enqueuer inserts a River job inside the caller's transaction;
// *jobs.Queue implements it.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// ProcessArgs is the job an older hub queued for each execution; the
// dispatcher now claims executions itself (ProcessWorker).
type ProcessArgs struct {
	ExecutionID string `json:"execution_id"` // the event
	Consumer    string `json:"consumer,omitempty"`
}

// Kind names the job in River.
func (ProcessArgs) Kind() string { return "intake.process" }

// Execution is a stored event as handlers see it.
type Execution struct {
	ID         string
	AccountID  string
	Source     string
	SourceID   string
	Event      string
	DeliveryID string
	OrderKey   string // what the event belongs to within its sender (Incoming.OrderKey)
	Payload    []byte // the stored (redacted) JSON object
	Attempts   int    // this consumer's, including the one running now
	Consumer   string // the registered consumer this execution is for
	replayed   int    // attempts made before the last replay
}

func nowOf(f func() time.Time) time.Time {
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Microsecond)
}
