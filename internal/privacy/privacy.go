// Package privacy owns the data rights of accounts and people (LGPD): an
// account's export (a JSON archive assembled from sections each domain
// registers), an account's deletion after a grace period (the purge), and
// the erasure of one person's data (a contact of an account, or a user of
// the hub), each domain erasing what it holds through the erasers it
// registers, the audit log keeping tombstones that still verify.
package privacy

import (
	"context"
	"database/sql"
	"net/http"
	"sync"
	"time"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
)

// Section is one part of an account's export: the rows a query answers
// for the account ($1), written as JSON objects keyed by column. The
// query names its columns: secrets (hashes, tokens, keys) are never
// selected.
type Section struct {
	Name  string
	Query string
	// JSON lists columns that hold JSON text, embedded as JSON.
	JSON []string
	// IfTable, when set, skips the section (answering it empty) while
	// that table does not exist: a domain can register its section
	// before its migration has run on every installation.
	IfTable string
}

// ContactEraser erases what a domain holds about a Chatwoot contact of an
// account and answers how many rows it changed.
type ContactEraser func(ctx context.Context, tx *sql.Tx, accountID string, contactID int64, now time.Time) (int, error)

// UserEraser erases what a domain holds about a hub user.
type UserEraser func(ctx context.Context, tx *sql.Tx, userID string, now time.Time) (int, error)

// Auditor is the audit log as data rights use it.
type Auditor interface {
	Record(ctx context.Context, tx *sql.Tx, e audit.Entry) error
	RecordHub(ctx context.Context, tx *sql.Tx, e audit.Entry, accountIDs []string) error
	ErasePerson(ctx context.Context, tx *sql.Tx, subjectID, chainID string, now time.Time) (audit.Erased, error)
	DropChain(ctx context.Context, tx *sql.Tx, accountID string) error
}

// Service holds the domains' registrations and serves the data rights.
type Service struct {
	DB    *db.DB
	Audit Auditor
	// Entry builds the audit entry of a request (actor, ip, request id).
	Entry func(r *http.Request, accountID, action, resType, resID string) audit.Entry
	// Grace is how long a requested deletion waits, cancellable, before
	// the account's rows are purged.
	Grace time.Duration
	Now   func() time.Time

	mu       sync.RWMutex
	sections []Section
	contacts map[string]ContactEraser
	users    map[string]UserEraser
	purges   []Purger
}

// Purger clears what a domain keeps about an account outside the
// account's own rows (which the purge deletes by their account_id).
type Purger func(ctx context.Context, tx *sql.Tx, accountID string) error

// OnPurge registers a domain's purger.
func (s *Service) OnPurge(fn Purger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purges = append(s.purges, fn)
}

// AddSections registers a domain's export sections (in export order).
func (s *Service) AddSections(secs ...Section) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sections = append(s.sections, secs...)
}

// OnEraseContact registers a domain's contact eraser under its name.
func (s *Service) OnEraseContact(domain string, fn ContactEraser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.contacts == nil {
		s.contacts = map[string]ContactEraser{}
	}
	s.contacts[domain] = fn
}

// OnEraseUser registers a domain's user eraser under its name.
func (s *Service) OnEraseUser(domain string, fn UserEraser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users == nil {
		s.users = map[string]UserEraser{}
	}
	s.users[domain] = fn
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }
