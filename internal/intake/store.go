package intake

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Incoming is one authenticated external event, as every source hands it
// to the store: Chatwoot account webhooks, API-inbox callbacks, provider
// webhooks (one Incoming per message or status of a batched POST) and
// platform events.
type Incoming struct {
	AccountID string
	Source    string // SourceChatwoot, SourceChatwootInbox, SourceProvider, SourcePlatform
	// SourceID names the sender within the source: the link id, the inbox
	// link id, or "<provider id>:<instance key>".
	SourceID string
	Event    string
	// DedupeKey makes the event count once per (Source, SourceID): what a
	// signature covers, a Chatwoot message id, a Meta wamid (+ status).
	DedupeKey string
	// DeliveryID is the sender's delivery header, shown to admins; it
	// never decides a duplicate (headers are not signed).
	DeliveryID string
	// OrderKey names what the event belongs to within its sender (a chat,
	// a conversation), chosen by who knows the payload: events of the same
	// Source, SourceID and OrderKey keep their order, events of different
	// keys need not. Empty is unknown: the event orders against every
	// event of its sender.
	OrderKey string
	// Payload is the JSON object as received (or this event's part of it).
	// Object, when set, is that payload already decoded with UseNumber;
	// the store redacts it in place.
	Payload []byte
	Object  map[string]any
	// Ignored, when set, stores the event ignored with this reason: it is
	// acknowledged and kept, never worked (an unrouted provider event).
	Ignored string
	// Applied records an event its receiver already applied in the same
	// transaction (platform events): stored done, with no execution.
	Applied bool
}

// Stored is the outcome of Put. Fresh is false for a duplicate, whose ID
// is then "". Ignored is the reason the event will not be worked, if any.
type Stored struct {
	ID      string
	Fresh   bool
	Ignored string
}

// Consumers tells the store who consumes an event; the Dispatcher does.
type Consumers interface {
	ConsumersOf(source, event string) []string
}

// Store is the one way an external event enters the hub: it redacts the
// payload by its source's secret locations, deduplicates it, and writes
// the event and one execution per consumer in one transaction; the
// executions are due at once, and the Dispatcher claims them.
type Store struct {
	DB        *db.DB
	Consumers Consumers
	// AccountStatus tells the account's status (asked once per account
	// and group commit, outside its transaction: the hub answers from the
	// authorisation cache); a suspended account's events are stored
	// ignored.
	AccountStatus func(ctx context.Context, accountID string) (string, error)
	Now           func() time.Time
	// OnStored, when set, is told of every newly stored event (usage).
	OnStored func(accountID string)
	// Writers is how many group-commit transactions run at once (default
	// 1: SQLite has one writer; PostgreSQL takes more).
	Writers int
	batch   batcher
}

// SourcePlatform marks the operator's signed provisioning events.
const SourcePlatform = "platform"

const maxDedupeKey = 300

// Put stores one event. Concurrent Puts share a transaction (group
// commit); Put returns once the transaction holding the event committed.
func (s *Store) Put(ctx context.Context, in Incoming) (Stored, error) {
	display, job, err := prepareIn(&in)
	if err != nil {
		return Stored{}, err
	}
	r := &putReq{ctx: ctx, in: in, display: display, job: job, done: make(chan struct{})}
	s.submit(r)
	select {
	case <-r.done:
	case <-ctx.Done():
		// The write may still commit; the sender retries and the dedupe
		// key makes the retry a duplicate.
		return Stored{}, ctx.Err()
	}
	if r.err != nil {
		return Stored{}, r.err
	}
	if r.out.Fresh && s.OnStored != nil {
		s.OnStored(in.AccountID)
	}
	return r.out, nil
}

// PutTx stores one event inside the caller's transaction (platform events
// are applied and recorded at once). A bad Incoming is a 400 and writes
// nothing. Its executions, if any, are claimed once the transaction
// committed (at the dispatcher's next look).
func (s *Store) PutTx(ctx context.Context, tx *sql.Tx, in Incoming) (Stored, error) {
	display, job, err := prepareIn(&in)
	if err != nil {
		return Stored{}, err
	}
	r := &putReq{ctx: ctx, in: in, display: display, job: job}
	if err := s.writeTx(ctx, tx, []*putReq{r}); err != nil {
		return Stored{}, err
	}
	return r.out, nil
}

// prepareIn validates the event and returns its two stored forms.
func prepareIn(in *Incoming) (display, job []byte, err error) {
	if err := in.validate(); err != nil {
		return nil, nil, err
	}
	obj := in.Object
	if obj == nil {
		if obj, err = Decode(in.Payload); err != nil {
			return nil, nil, err
		}
	}
	return prepare(in.Source, in.Event, obj)
}

// addRuns inserts one execution per consumer of an event, due now.
func addRuns(ctx context.Context, tx *sql.Tx, accountID, eventID string, consumers []string, now time.Time) error {
	if len(consumers) == 0 {
		return nil
	}
	runs := make([]runRow, len(consumers))
	for i, c := range consumers {
		runs[i] = runRow{eventID: eventID, accountID: accountID, consumer: c}
	}
	return insertRuns(ctx, tx, runs, now)
}

func (in *Incoming) validate() error {
	var bad []httpx.FieldError
	switch in.Source {
	case SourceChatwoot, SourceChatwootInbox, SourceProvider, SourcePlatform:
	default:
		bad = append(bad, httpx.FieldError{Field: "source", Message: "unknown source " + truncate(in.Source, 40)})
	}
	if in.AccountID == "" || in.SourceID == "" || len(in.SourceID) > 200 {
		bad = append(bad, httpx.FieldError{Field: "source_id", Message: "an account and a source id of at most 200 characters are required"})
	}
	if !validEvent(in.Event) {
		bad = append(bad, httpx.FieldError{Field: "event", Message: "is not an event name"})
	}
	if in.DedupeKey == "" || len(in.DedupeKey) > maxDedupeKey || !printable(in.DedupeKey) {
		bad = append(bad, httpx.FieldError{Field: "dedupe_key", Message: "must be 1 to 300 printable ASCII characters"})
	}
	if len(in.OrderKey) > 200 || !printable(in.OrderKey) {
		in.OrderKey = "" // a key read from outside input that is not one orders as unknown: later, never lost
	}
	if len(in.DeliveryID) > 200 || !printable(in.DeliveryID) {
		bad = append(bad, httpx.FieldError{Field: "delivery_id", Message: "must be at most 200 printable ASCII characters without spaces"})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// Decode parses a JSON body into a generic object (numbers kept exact);
// bad JSON is a 400.
func Decode(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, httpx.E(httpx.CodeBadRequest, "the body must hold a single JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, httpx.E(httpx.CodeBadRequest, "the body must be a JSON object")
	}
	return obj, nil
}

// OlderPending tells the gateway's ordering gate whether a message event
// of the same sender (source and source id: a number, or an API inbox),
// stored before executionID, has a gateway execution not finished yet:
// received, claimed (processing) or failed and due again. With an order
// key, only events of that key or of none count (another chat's event
// does not hold this one); without one, every event of the sender does.
// Another consumer's pending execution of the same event never holds a
// lane.
func (s *Store) OlderPending(ctx context.Context, source, sourceID, orderKey, executionID string) (bool, error) {
	q, args := olderPendingAny, []any{source, sourceID, executionID}
	if orderKey != "" {
		q, args = olderPendingKey, append(args, orderKey)
	}
	var one int
	err := s.DB.Reads().QueryRowContext(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// The gate's two look-ups, on partial indexes of pending rows: the keyed
// one reads two key ranges of event_executions_pending_key (migration
// 0030), the keyless one event_executions_pending (0022).
const (
	olderPendingHead = `SELECT 1 FROM event_executions e JOIN event_runs r ON r.event_id = e.id AND r.consumer = 'gateway'
		WHERE e.source = $1 AND e.source_id = $2 AND e.id < $3
		AND e.status IN ('received', 'processing', 'failed') AND r.status IN ('received', 'processing', 'failed')
		AND e.event IN ('messages.upsert', 'send.message', 'messages.edited', 'messages.delete', 'messages',
			'message_created', 'message_updated')`
	olderPendingAny = olderPendingHead + ` LIMIT 1`
	olderPendingKey = olderPendingHead + ` AND e.order_key IN ($4, '') LIMIT 1`
)
