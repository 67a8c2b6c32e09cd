// Package plan owns plans, each account's plan with overrides, and the
// entitlements they grant: limits checked race-safely in the transaction
// of the create they guard, and the plan's default features.
package plan

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/feature"
	"github.com/whatpro/hub/internal/httpx"
)

// Limits.
const (
	MaxInboxes           = "max_inboxes"
	MaxProviderInstances = "max_provider_instances"
	MaxAgents            = "max_agents"
	MaxBoards            = "max_boards"
	MaxMessagesPerMonth  = "max_messages_per_month"
	// MaxChatStorageMB caps the bytes of an account's chat attachments.
	MaxChatStorageMB = "max_chat_storage_mb"
	// MaxChatRooms caps an account's chat rooms (DMs included).
	MaxChatRooms = "max_chat_rooms"
)

// LimitNames lists the limits in display order.
var LimitNames = []string{MaxInboxes, MaxProviderInstances, MaxAgents, MaxBoards, MaxMessagesPerMonth, MaxChatStorageMB, MaxChatRooms}

// DefaultID is the built-in plan every account has until given another.
const DefaultID = "default"

// Plan is a named set of limits and default features. A missing limit
// means unlimited.
type Plan struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Limits    map[string]int  `json:"limits"`
	Features  map[string]bool `json:"features"`
	BuiltIn   bool            `json:"built_in"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Default is the built-in plan.
var Default = Plan{ID: DefaultID, Name: "Default", BuiltIn: true,
	Limits: map[string]int{MaxInboxes: 10, MaxProviderInstances: 10, MaxAgents: 50, MaxBoards: 20, MaxMessagesPerMonth: 100000,
		MaxChatStorageMB: 5120, MaxChatRooms: 5000},
	Features: map[string]bool{"kanban": true, "internal_chat": true, "gateway": true, "hub_admin": true},
}

// Counter reports how much of a limit an account uses, inside tx.
type Counter func(ctx context.Context, q db.Querier, accountID string, now time.Time) (int, error)

// Catalog evaluates plans for accounts.
type Catalog struct {
	DB       *db.DB
	Counters map[string]Counter
}

func scanPlan(row interface{ Scan(...any) error }) (*Plan, error) {
	p := &Plan{}
	var limits, features string
	if err := row.Scan(&p.ID, &p.Name, &limits, &features, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, db.Translate(err)
	}
	if err := json.Unmarshal([]byte(limits), &p.Limits); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(features), &p.Features); err != nil {
		return nil, err
	}
	// A plan stored with a feature that left the catalogue shows and
	// grants only the features that exist.
	for name := range p.Features {
		if !feature.Known(name) {
			delete(p.Features, name)
		}
	}
	return p, nil
}

const planCols = `id, name, limits, features, created_at, updated_at`

func getPlan(ctx context.Context, q db.Querier, id string) (*Plan, error) {
	if id == DefaultID {
		d := Default
		return &d, nil
	}
	return scanPlan(q.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = $1 AND archived_at IS NULL`, id))
}

// AccountPlan returns the account's plan and its overrides.
func (c *Catalog) AccountPlan(ctx context.Context, q db.Querier, accountID string) (*Plan, map[string]int, error) {
	var planID, raw string
	err := q.QueryRowContext(ctx, `SELECT plan_id, overrides FROM account_plans WHERE account_id = $1`, accountID).Scan(&planID, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		d := Default
		return &d, map[string]int{}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := getPlan(ctx, q, planID)
	if err != nil {
		return nil, nil, err
	}
	over := map[string]int{}
	if err := json.Unmarshal([]byte(raw), &over); err != nil {
		return nil, nil, err
	}
	return p, over, nil
}

// Limit returns the effective limit (ok=false: unlimited).
func (c *Catalog) Limit(ctx context.Context, q db.Querier, accountID, name string) (int, bool, error) {
	p, over, err := c.AccountPlan(ctx, q, accountID)
	if err != nil {
		return 0, false, err
	}
	if v, ok := over[name]; ok {
		return v, true, nil
	}
	v, ok := p.Limits[name]
	return v, ok, nil
}

// Reserve checks, inside the transaction of the create it guards, that one
// more unit of the limit fits. On PostgreSQL the account row is locked so
// two concurrent creates cannot both take the last slot; SQLite's single
// writer serialises them already.
func (c *Catalog) Reserve(ctx context.Context, tx *sql.Tx, accountID, name string) error {
	return c.ReserveAmount(ctx, tx, accountID, name, 1)
}

// ReserveAmount is Reserve for n units at once (megabytes of storage).
func (c *Catalog) ReserveAmount(ctx context.Context, tx *sql.Tx, accountID, name string, n int) error {
	if c.DB.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR UPDATE`, accountID); err != nil {
			return err
		}
	}
	limit, ok, err := c.Limit(ctx, tx, accountID, name)
	if err != nil || !ok {
		return err
	}
	used, err := c.used(ctx, tx, accountID, name)
	if err != nil {
		return err
	}
	if used+n > limit {
		return Exceeded(name, limit, used)
	}
	return nil
}

// Exceeded is the 422 LIMIT_EXCEEDED answer with the limit and its use.
func Exceeded(name string, limit, used int) error {
	return httpx.E(httpx.CodeLimitExceeded, "the plan allows "+itoa(limit)+" for "+name+" and "+itoa(used)+" are used",
		httpx.FieldError{Field: name, Message: "limit reached", Limit: &limit, Used: &used})
}

func (c *Catalog) used(ctx context.Context, q db.Querier, accountID, name string) (int, error) {
	fn, ok := c.Counters[name]
	if !ok {
		return 0, nil
	}
	return fn(ctx, q, accountID, db.Now())
}

// Features returns the account's plan default features (feature.Flags uses
// it as the base before per-account overrides).
func (c *Catalog) Features(ctx context.Context, accountID string) (map[string]bool, error) {
	p, _, err := c.AccountPlan(ctx, c.DB.R, accountID)
	if err != nil {
		return nil, err
	}
	return p.Features, nil
}

func validLimit(name string) bool { return slices.Contains(LimitNames, name) }

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
