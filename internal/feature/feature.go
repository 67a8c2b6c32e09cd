// Package feature owns the feature flags: the catalogue, the defaults of
// the built-in plan, per-account overrides, and their evaluation, which
// fails closed.
package feature

import (
	"context"
	"database/sql"
	"log/slog"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/whatpro/hub/internal/authcache"
	"github.com/whatpro/hub/internal/db"
)

// The catalogue: only features that are built. A flag stored for a name
// that left the catalogue (automations and analytics were listed before
// they existed) is ignored wherever flags are read: never evaluated,
// shown or sold.
const (
	Kanban       = "kanban"
	InternalChat = "internal_chat"
	Gateway      = "gateway"
	HubAdmin     = "hub_admin"
)

// Catalogue lists every feature in display order.
var Catalogue = []string{Kanban, InternalChat, Gateway, HubAdmin}

// defaults is the built-in plan until plans become editable.
var defaults = map[string]bool{Kanban: true, InternalChat: true, Gateway: true, HubAdmin: true}

// adminOnly features are never on for other roles.
var adminOnly = map[string]bool{HubAdmin: true}

// Known reports whether name is in the catalogue.
func Known(name string) bool { return slices.Contains(Catalogue, name) }

// Flags evaluates features for accounts.
type Flags struct {
	DB     *db.DB
	Log    *slog.Logger
	errors prometheus.Counter
	// Defaults, when set, supplies an account's plan defaults (the plans
	// catalog); nil means the built-in plan.
	Defaults func(ctx context.Context, accountID string) (map[string]bool, error)
	// Cache keeps each account's state until a plan or override changes
	// (nil: read every time).
	Cache *authcache.Cache
}

// New builds Flags and registers the evaluation error counter.
func New(d *db.DB, log *slog.Logger, reg prometheus.Registerer) *Flags {
	f := &Flags{DB: d, Log: log, errors: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "whatpro_feature_evaluation_errors_total",
		Help: "Feature evaluations that failed and were answered as disabled.",
	})}
	reg.MustRegister(f.errors)
	return f
}

// Evaluate returns every feature's state for a role in the account. Any
// error turns everything off: it is logged and counted, never shown as on.
func (f *Flags) Evaluate(ctx context.Context, accountID, role string) map[string]bool {
	out := make(map[string]bool, len(Catalogue))
	for _, n := range Catalogue {
		out[n] = false
	}
	state, err := f.state(ctx, accountID)
	if err != nil {
		f.errors.Inc()
		f.Log.Error("feature evaluation failed; answering disabled", "account_id", accountID, "error", err.Error())
		return out
	}
	for _, n := range Catalogue {
		out[n] = state[n] && (!adminOnly[n] || role == "admin")
	}
	return out
}

// Enabled implements iam.FeatureChecker.
func (f *Flags) Enabled(ctx context.Context, accountID, name, role string) (bool, error) {
	state, err := f.state(ctx, accountID)
	if err != nil {
		f.errors.Inc()
		f.Log.Error("feature evaluation failed; answering disabled", "account_id", accountID, "error", err.Error())
		return false, nil
	}
	return Known(name) && state[name] && (!adminOnly[name] || role == "admin"), nil
}

// AccountEnabled says whether the feature is on for the account itself,
// for work no person asked for (a consumer of stored events): unlike
// Enabled it returns the evaluation's error, so the caller retries later
// instead of acting on a fail-closed "off" (ignoring a customer's message
// because the database blinked). Role-bound features (hub_admin) are off.
func (f *Flags) AccountEnabled(ctx context.Context, accountID, name string) (bool, error) {
	state, err := f.state(ctx, accountID)
	if err != nil {
		f.errors.Inc()
		return false, err
	}
	return Known(name) && state[name] && !adminOnly[name], nil
}

// state is an account's feature states; the map is shared, never modify it.
func (f *Flags) state(ctx context.Context, accountID string) (map[string]bool, error) {
	key := "f:" + accountID
	if st, ok := authcache.Get[map[string]bool](f.Cache, key); ok {
		return st, nil
	}
	gen := f.Cache.Gen()
	st, err := f.load(ctx, accountID)
	if err != nil {
		return nil, err
	}
	f.Cache.Put(gen, key, st)
	return st, nil
}

func (f *Flags) load(ctx context.Context, accountID string) (map[string]bool, error) {
	base := defaults
	if f.Defaults != nil {
		var err error
		if base, err = f.Defaults(ctx, accountID); err != nil {
			return nil, err
		}
	}
	out := map[string]bool{}
	for k, v := range base {
		if Known(k) {
			out[k] = v
		}
	}
	rows, err := f.DB.R.QueryContext(ctx, `SELECT feature, enabled FROM account_features WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var on bool
		if err := rows.Scan(&name, &on); err != nil {
			return nil, err
		}
		if Known(name) {
			out[name] = on
		}
	}
	return out, rows.Err()
}

// SetOverrides merges overrides for the account inside tx.
func SetOverrides(ctx context.Context, tx *sql.Tx, accountID string, set map[string]bool) error {
	now := db.Now()
	for name, on := range set {
		if _, err := tx.ExecContext(ctx, `INSERT INTO account_features (account_id, feature, enabled, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id, feature) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
			accountID, name, on, now); err != nil {
			return db.Translate(err)
		}
	}
	return nil
}
