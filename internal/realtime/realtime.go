// Package realtime owns the realtime backbone: the events table (a
// gap-free, commit-ordered sequence per account), appending to it inside
// the caller's transaction, single-use WebSocket tickets, the WebSocket
// endpoint with topics that domains authorise, resume with replay or
// resync, ephemeral events, and the fan-out across instances (PostgreSQL
// LISTEN/NOTIFY, or a wake-up after commit on SQLite).
package realtime

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// Event is one stored event. Topic is its audience ("board:<id>",
// "boards", later "chat:<room>"): only sockets subscribed to it receive
// it, and only when the topic's authorizer lets the viewer see it. Scope is
// a domain-defined restriction inside the topic (the Kanban puts
// "inbox:<id>" on cards of a conversation) that the authorizer's filter
// checks per event.
type Event struct {
	AccountID string
	Seq       int64
	Type      string // resource.action: card.moved
	Topic     string
	Scope     string
	Data      json.RawMessage
	CreatedAt time.Time
}

// NotifyChannel is the PostgreSQL channel that carries "account:seq".
const NotifyChannel = "whatpro_events"

// ErrInvalidEvent is a programming error in the caller, never user input.
var ErrInvalidEvent = errors.New("realtime: invalid event")

// New is what callers append: the data is marshalled to JSON.
type New struct {
	Type  string
	Topic string
	Scope string
	Data  any
}

// Log appends events. Other packages call Append inside their own
// transaction, as the last writes before commit (the account's head row
// stays locked from then until commit), then Wake after commit.
type Log struct {
	DB *db.DB
	// Waker is told after a commit that an account has new events
	// (Hub.Committed: this instance's sockets, and the other instances on
	// PostgreSQL).
	Waker func(accountID string)
}

// Append stores events for one account in tx and returns the sequence of
// the last. On PostgreSQL one statement per event locks the head row,
// takes the next number and stores the row.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, accountID string, evs ...New) (int64, error) {
	if accountID == "" {
		return 0, fmt.Errorf("%w: no account", ErrInvalidEvent)
	}
	now := db.Now()
	var seq int64
	for _, e := range evs {
		if !validType(e.Type) || e.Topic == "" || len(e.Topic) > 200 {
			return 0, fmt.Errorf("%w: type %q topic %q", ErrInvalidEvent, e.Type, e.Topic)
		}
		raw, err := json.Marshal(e.Data)
		if err != nil {
			return 0, fmt.Errorf("%w: %v", ErrInvalidEvent, err)
		}
		if seq, err = l.appendOne(ctx, tx, accountID, e, string(raw), now); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

func (l *Log) appendOne(ctx context.Context, rawTx *sql.Tx, accountID string, e New, data string, now time.Time) (int64, error) {
	q := appendSQL[l.DB.Dialect]
	tx := l.DB.InTx(rawTx)
	var seq int64
	var void string
	err := tx.QueryRowContext(ctx, q, accountID, now, e.Type, e.Topic, e.Scope, data).Scan(&seq, &void)
	if errors.Is(err, sql.ErrNoRows) {
		// The account's first event: create its head, then append again
		// (DO NOTHING waits for a concurrent creator).
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_heads (account_id, seq, floor, updated_at) VALUES ($1, 0, 0, $2)
			ON CONFLICT (account_id) DO NOTHING`, accountID, now); err != nil {
			return 0, fmt.Errorf("realtime: create head: %w", db.Translate(err))
		}
		err = tx.QueryRowContext(ctx, q, accountID, now, e.Type, e.Topic, e.Scope, data).Scan(&seq, &void)
	}
	if err != nil {
		return 0, fmt.Errorf("realtime: append: %w", db.Translate(err))
	}
	if l.DB.Dialect == db.SQLite {
		// SQLite's single writer serialises appends; the head follows.
		if _, err := tx.ExecContext(ctx, `UPDATE event_heads SET seq = $2, updated_at = $3 WHERE account_id = $1`, accountID, seq, now); err != nil {
			return 0, fmt.Errorf("realtime: update head: %w", db.Translate(err))
		}
	}
	return seq, nil
}

// appendSQL takes the head row (UPDATE locks it until commit, so numbers
// are handed out in commit order and a reader that sees N sees every row
// below it) and stores the event. The other instances are told after
// commit (Hub.Committed, announce.go), never from inside the transaction.
//
// The price: one account's writers queue on its head row from their
// append to their commit, WAL flush included, so an account's events are
// bounded to about 1 / (commit latency) per second on PostgreSQL (other
// accounts run in parallel and share flushes). That is why callers append
// last. A sequence or an id assigned before commit would not wait, but
// could commit out of order, and a resuming client would skip a row.
var appendSQL = map[db.Dialect]string{
	db.Postgres: `WITH h AS (UPDATE event_heads SET seq = seq + 1, updated_at = $2 WHERE account_id = $1 RETURNING seq),
		e AS (INSERT INTO events (account_id, seq, type, topic, scope, data, created_at)
			SELECT $1, h.seq, $3, $4, $5, $6, $2 FROM h RETURNING seq)
		SELECT e.seq, ''::text FROM e`,
	db.SQLite: `INSERT INTO events (account_id, seq, type, topic, scope, data, created_at)
		SELECT $1, h.seq + 1, $3, $4, $5, $6, $2 FROM event_heads h WHERE h.account_id = $1
		RETURNING seq, ''`,
}

// Wake tells the hub that accounts have new events; call it after the
// transaction that appended commits.
func (l *Log) Wake(accountIDs ...string) {
	if l.Waker == nil {
		return
	}
	for _, id := range accountIDs {
		l.Waker(id)
	}
}

// validType accepts resource.action names: lower case, digits, '_' and at
// least one dot.
func validType(s string) bool {
	if s == "" || len(s) > 100 || !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Head is the account's latest sequence: a client that loads a snapshot
// after reading it and subscribes with last_seq = Head misses nothing
// (events it already holds may come again; apply them idempotently).
func Head(ctx context.Context, q db.Querier, accountID string) (int64, error) {
	h, _, err := heads(ctx, q, accountID)
	return h, err
}
