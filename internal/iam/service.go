package iam

import (
	"context"
	"database/sql"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/authcache"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/secret"
)

// Auditor appends to the audit chains inside a transaction.
type Auditor interface {
	Record(ctx context.Context, tx *sql.Tx, e audit.Entry) error
	RecordHub(ctx context.Context, tx *sql.Tx, e audit.Entry, accountIDs []string) error
}

// TokenResolver resolves opaque bearer tokens that are not ours to parse
// (instance tokens, owned by the embedding side).
type TokenResolver interface {
	Resolve(ctx context.Context, token string, r *http.Request) (*Principal, error)
}

// FeatureChecker says whether a feature is on for an account; nil or an
// error means off (fail closed).
type FeatureChecker interface {
	Enabled(ctx context.Context, accountID, feature string, role string) (bool, error)
}

// Service is identity and access: handlers, the route guard and bootstrap.
type Service struct {
	DB             *db.DB
	Signer         *Signer
	Audit          Auditor
	Proxies        httpx.Proxies
	SecureCookie   bool
	CookiePath     string // the mount path + /api/v1/auth
	Now            func() time.Time
	InstanceTokens TokenResolver
	Features       FeatureChecker
	Limits         *RateLimits
	Keys           *secret.Ring
	Production     bool
	// BeforeNewMember runs in the transaction that makes a membership
	// active (the plan's max_agents); an error refuses it.
	BeforeNewMember func(ctx context.Context, tx *sql.Tx, accountID string) error
	// OnAccountRequest is told of each request a principal makes inside an
	// account (usage metering).
	OnAccountRequest func(accountID string, p *Principal)
	// OnMembershipEnded hooks run when a member is removed or disabled.
	OnMembershipEnded []MembershipEnded
	// ConsoleOrigins are the origins of the hub's own pages (its public
	// URL's, and the dev server's in development): the only ones a console
	// session is used from and session routes accept browser calls from.
	ConsoleOrigins []string
	// OriginOf reports whether a canonical origin is one of the account's
	// (its Chatwoot link's or a configured one).
	OriginOf func(ctx context.Context, origin, accountID string) bool
	// Jobs inserts background jobs inside a transaction.
	Jobs Inserter
	// Mail says the hub mails links (WHATPRO_SMTP_URL); without it the
	// admin who invites sees the link once, to hand over.
	Mail bool
	// PublicURL is the hub's external URL, no trailing slash (links).
	PublicURL string

	// Cache holds the rows authorisation reads (nil: none); writes
	// through s.tx forget it once committed.
	Cache *authcache.Cache

	passwordChecks atomic.Int64
	touch          touches
}

// Inserter inserts a job in the caller's transaction (jobs.Queue).
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// entry starts an audit entry for the request's principal.
func (s *Service) Entry(r *http.Request, accountID, action, resType, resID string) audit.Entry {
	e := audit.Entry{AccountID: accountID, Action: action, ResourceType: resType, ResourceID: resID,
		IP: s.Proxies.ClientIP(r), UserAgent: truncate(r.UserAgent(), 300), RequestID: httpx.RequestID(r.Context()),
		ActorType: "system"}
	if p := PrincipalFrom(r.Context()); p != nil {
		e.ActorType, e.ActorID = p.ActorType(), p.ActorID()
	}
	return e
}

// ReserveMember checks the plan before a membership becomes active.
func (s *Service) ReserveMember(ctx context.Context, tx *sql.Tx, accountID string) error {
	if s.BeforeNewMember == nil {
		return nil
	}
	return s.BeforeNewMember(ctx, tx, accountID)
}
