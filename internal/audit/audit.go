// Package audit owns the audit log: the append-only audit_logs and
// audit_heads tables, the per-account and hub-wide MAC chains that make
// tampering detectable, recording entries inside the caller's transaction,
// listing an account's entries (store and HTTP handler) and verifying every
// chain.
package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/secret"
)

// HubChain is the chain of events about users rather than one account
// (logins, passwords, sessions). Account ids are UUIDs, so it cannot clash.
const HubChain = "hub"

// Actor types: who caused an entry.
const (
	ActorUser          = "user"
	ActorAPIKey        = "api_key"
	ActorInstanceToken = "instance_token"
	ActorSystem        = "system"
	ActorPlatform      = "platform"
)

// ErrInvalidEntry is wrapped by Record and RecordHub when the entry itself
// is unusable: a programming error in the caller, never user input.
var ErrInvalidEntry = errors.New("audit: invalid entry")

// ValidActorType reports whether s is one of the actor types above.
func ValidActorType(s string) bool {
	switch s {
	case ActorUser, ActorAPIKey, ActorInstanceToken, ActorSystem, ActorPlatform:
		return true
	}
	return false
}

// Entry is one event to record. Before and After are marshalled to JSON
// after secrets are masked (see redact); nil stores NULL.
type Entry struct {
	AccountID                  string
	ActorType, ActorID, Action string
	ResourceType, ResourceID   string
	IP, UserAgent, RequestID   string
	Before, After              any
}

// Log appends entries to the chains. It is safe for concurrent use.
type Log struct {
	db  *db.DB
	key secret.DerivedKey // active ring key, derived once: the ring never changes
}

// New returns a Log that signs with the ring's active key.
func New(d *db.DB, ring *secret.Ring) *Log {
	return &Log{db: d, key: ring.DeriveAll(secret.PurposeAuditMAC, macKeySize)[0]}
}

// Record appends e to the chain of e.AccountID inside tx, so the entry
// exists exactly when the change it describes does.
func (l *Log) Record(ctx context.Context, tx *sql.Tx, e Entry) error {
	if e.AccountID == "" || e.AccountID == HubChain {
		return fmt.Errorf("%w: account id %q", ErrInvalidEntry, e.AccountID)
	}
	r, err := newRecord(e, db.Now())
	if err != nil {
		return err
	}
	r.ChainID = e.AccountID
	r.AccountID = sql.NullString{String: e.AccountID, Valid: true}
	return l.append(ctx, tx, r)
}

// RecordHub appends e to the hub-wide chain (account_id NULL) and to the
// chain of every account in accountIDs (and e.AccountID when set), so each
// tenant sees, in its own log, what happened to its users.
func (l *Log) RecordHub(ctx context.Context, tx *sql.Tx, e Entry, accountIDs []string) error {
	ids := slices.Clone(accountIDs)
	if e.AccountID != "" {
		ids = append(ids, e.AccountID)
	}
	for _, id := range ids {
		if id == "" || id == HubChain {
			return fmt.Errorf("%w: account id %q", ErrInvalidEntry, id)
		}
	}
	// Heads are locked hub first, then accounts in sorted order: every
	// writer takes them in the same order, so two can never deadlock.
	slices.Sort(ids)
	ids = slices.Compact(ids)
	base, err := newRecord(e, db.Now())
	if err != nil {
		return err
	}
	hub := base
	hub.ChainID = HubChain
	if err := l.append(ctx, tx, hub); err != nil {
		return err
	}
	for _, id := range ids {
		r := base
		r.ChainID = id
		r.AccountID = sql.NullString{String: id, Valid: true}
		if err := l.append(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

// newRecord validates e and fills the content columns of a row.
func newRecord(e Entry, now time.Time) (record, error) {
	if !ValidActorType(e.ActorType) {
		return record{}, fmt.Errorf("%w: actor type %q", ErrInvalidEntry, e.ActorType)
	}
	if e.Action == "" {
		return record{}, fmt.Errorf("%w: empty action", ErrInvalidEntry)
	}
	before, err := redactJSON(e.Before)
	if err != nil {
		return record{}, fmt.Errorf("%w: before: %v", ErrInvalidEntry, err)
	}
	after, err := redactJSON(e.After)
	if err != nil {
		return record{}, fmt.Errorf("%w: after: %v", ErrInvalidEntry, err)
	}
	return record{
		ActorType: e.ActorType, ActorID: e.ActorID, Action: e.Action,
		ResourceType: e.ResourceType, ResourceID: e.ResourceID,
		IP: e.IP, UserAgent: e.UserAgent, RequestID: e.RequestID,
		Before: before, After: after, CreatedAt: now,
	}, nil
}
