package intake

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
// the event, one execution per consumer and their jobs in one transaction.
type Store struct {
	DB        *db.DB
	Jobs      Enqueuer
	Consumers Consumers
	// AccountStatus reads the account's status inside the store's
	// transaction; a suspended account's events are stored ignored.
	AccountStatus func(ctx context.Context, tx *sql.Tx, accountID string) (string, error)
	Now           func() time.Time
	// MaxAttempts overrides DefaultMaxAttempts for new jobs.
	MaxAttempts int
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
// nothing.
func (s *Store) PutTx(ctx context.Context, tx *sql.Tx, in Incoming) (Stored, error) {
	display, job, err := prepareIn(&in)
	if err != nil {
		return Stored{}, err
	}
	now := nowOf(s.Now)
	out, consumers, err := s.insert(ctx, tx, in, display, job, now)
	if err != nil {
		return Stored{}, err
	}
	if err := s.addExecutions(ctx, tx, in.AccountID, out.ID, consumers, now); err != nil {
		return Stored{}, err
	}
	for _, c := range consumers {
		if _, err := s.Jobs.InsertTx(ctx, tx, ProcessArgs{ExecutionID: out.ID, Consumer: c}, insertOpts(s.MaxAttempts)); err != nil {
			return Stored{}, err
		}
	}
	return out, nil
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

// insert writes the event row unless its dedupe key was stored already
// (then Stored is zero) and returns the consumers to give executions.
func (s *Store) insert(ctx context.Context, tx *sql.Tx, in Incoming, display, job []byte, now time.Time) (Stored, []string, error) {
	reason := in.Ignored
	if reason == "" && !in.Applied && s.AccountStatus != nil {
		st, err := s.AccountStatus(ctx, tx, in.AccountID)
		if err != nil {
			return Stored{}, nil, fmt.Errorf("intake: account status: %w", err)
		}
		if st == "suspended" {
			reason = "the account is suspended"
		}
	}
	var consumers []string
	if reason == "" && !in.Applied && s.Consumers != nil {
		consumers = s.Consumers.ConsumersOf(in.Source, in.Event)
		if len(consumers) == 0 {
			reason = "no consumer for " + in.Source + " event " + in.Event
		}
	}
	status := StatusReceived
	switch {
	case reason != "":
		status = StatusIgnored
	case in.Applied:
		status = StatusDone
	}
	var jobPayload any
	if !bytes.Equal(display, job) {
		jobPayload = string(job)
	}
	id := db.NewID()
	res, err := tx.ExecContext(ctx, `INSERT INTO event_executions
		(id, account_id, source, source_id, event, delivery_header, delivery_id, payload, job_payload, status, attempts, last_error, received_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $12)
		ON CONFLICT (source, source_id, delivery_id) DO NOTHING`,
		id, in.AccountID, in.Source, in.SourceID, in.Event, in.DeliveryID, in.DedupeKey, string(display), jobPayload,
		status, reason, now)
	if err != nil {
		return Stored{}, nil, db.Translate(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Stored{}, nil, err
	} else if n == 0 {
		return Stored{}, nil, nil
	}
	return Stored{ID: id, Fresh: true, Ignored: reason}, consumers, nil
}

// addExecutions inserts one execution row per consumer (not their jobs).
func (s *Store) addExecutions(ctx context.Context, tx *sql.Tx, accountID, eventID string, consumers []string, now time.Time) error {
	for _, c := range consumers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_runs (event_id, account_id, consumer, status, attempts, last_error, updated_at)
			VALUES ($1, $2, $3, $4, 0, '', $5)`, eventID, accountID, c, StatusReceived, now); err != nil {
			return db.Translate(err)
		}
	}
	return nil
}

func addRuns(ctx context.Context, tx *sql.Tx, jobs Enqueuer, maxAttempts int, accountID, eventID string, consumers []string, now time.Time) error {
	if err := (&Store{}).addExecutions(ctx, tx, accountID, eventID, consumers, now); err != nil {
		return err
	}
	for _, c := range consumers {
		if _, err := jobs.InsertTx(ctx, tx, ProcessArgs{ExecutionID: eventID, Consumer: c}, insertOpts(maxAttempts)); err != nil {
			return err
		}
	}
	return nil
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
