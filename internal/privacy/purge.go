package privacy

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
)

// The purge deletes the account's rows from every table with an
// account_id column, read from the catalog, so a domain's new tables are
// purged without being listed here; tables go children first (by their
// foreign keys). The audit chain goes through the audit log; the hub
// chain keeps the record of the purge.

// skipped tables are handled by their owners (the audit chain) or last.
var skipped = []string{"accounts", "audit_logs", "audit_heads"}

var accountTables = map[db.Dialect]string{
	db.SQLite: `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'account_id' ORDER BY m.name`,
	db.Postgres: `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'account_id' ORDER BY table_name`,
}

var foreignKeys = map[db.Dialect]string{
	db.SQLite: `SELECT m.name, f."table" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`,
	db.Postgres: `SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
}

// purgeOrder lists the account tables, every table before those it
// references.
func purgeOrder(ctx context.Context, tx *sql.Tx, d db.Dialect) ([]string, error) {
	rows, err := tx.QueryContext(ctx, accountTables[d])
	tables, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
		var t string
		return t, r.Scan(&t)
	})
	if err != nil {
		return nil, fmt.Errorf("privacy: list tables: %w", err)
	}
	tables = slices.DeleteFunc(tables, func(t string) bool { return slices.Contains(skipped, t) })
	rows, err = tx.QueryContext(ctx, foreignKeys[d])
	edges, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) ([2]string, error) {
		var e [2]string
		return e, r.Scan(&e[0], &e[1])
	})
	if err != nil {
		return nil, fmt.Errorf("privacy: list foreign keys: %w", err)
	}
	// refs[t] are the account tables t references; t must go first.
	refs := map[string][]string{}
	for _, e := range edges {
		if e[0] != e[1] && slices.Contains(tables, e[0]) && slices.Contains(tables, e[1]) {
			refs[e[0]] = append(refs[e[0]], e[1])
		}
	}
	referenced := func(t string, left []string) bool {
		for _, o := range left {
			if slices.Contains(refs[o], t) {
				return true
			}
		}
		return false
	}
	var order []string
	left := slices.Clone(tables)
	for len(left) > 0 {
		progress := false
		for i, t := range left {
			if !referenced(t, left) {
				order = append(order, t)
				left = slices.Delete(left, i, i+1)
				progress = true
				break
			}
		}
		if !progress {
			return nil, fmt.Errorf("privacy: the foreign keys of %v form a cycle", left)
		}
	}
	return order, nil
}

func (s *Service) purge(ctx context.Context, accountID string) error {
	s.mu.RLock()
	purges := slices.Clone(s.purges)
	s.mu.RUnlock()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		d, err := getDeletion(ctx, tx, accountID)
		if err != nil {
			return err // cancelled meanwhile: nothing to do
		}
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM accounts WHERE id = $1`, accountID).Scan(&name); err != nil {
			return db.Translate(err)
		}
		for _, p := range purges {
			if err := p(ctx, tx, accountID); err != nil {
				return err
			}
		}
		order, err := purgeOrder(ctx, tx, s.DB.Dialect)
		if err != nil {
			return err
		}
		counts := map[string]int64{}
		for _, t := range order {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t)+` WHERE account_id = $1`, accountID)
			if err != nil {
				return fmt.Errorf("privacy: purge %s: %w", t, db.Translate(err))
			}
			if n, _ := res.RowsAffected(); n > 0 {
				counts[t] = n
			}
		}
		if err := s.Audit.DropChain(ctx, tx, accountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id = $1`, accountID); err != nil {
			return fmt.Errorf("privacy: purge the account: %w", db.Translate(err))
		}
		return s.Audit.RecordHub(ctx, tx, audit.Entry{ActorType: audit.ActorSystem, Action: "account.purged",
			ResourceType: "account", ResourceID: accountID,
			Before: map[string]any{"requested_by": d.RequestedBy, "requested_at": d.RequestedAt, "rows": counts}}, nil)
	})
}

// quoteIdent quotes a catalog table name for both dialects.
func quoteIdent(s string) string {
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}
