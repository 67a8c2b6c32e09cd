// Package kanban is the Kanban's load test: seeding large boards straight
// into the database, and the scenarios of `whatpro-load kanban` and the
// package's benchmarks (first board load, moves, realtime delivery, idle
// sockets).
package kanban

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/whatpro/hub/internal/db"
)

// Seed inserts n cards into a board, spread round-robin over stageIDs (all
// open stages), in batches; it returns their ids per stage. Cards carry
// values, labels and contacts, so filters and totals have work to do.
// kinds[i] is the kind of stageIDs[i] (a card in a won stage is won).
func Seed(ctx context.Context, d *db.DB, accountID, boardID string, stageIDs, kinds []string, n int) (map[string][]string, error) {
	out := map[string][]string{}
	now := db.Now()
	const per = 40 // SQLite resolves $N names in quadratic time: keep statements short
	for start := 0; start < n; start += per {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			var sb strings.Builder
			sb.WriteString(`INSERT INTO kanban_cards (id, account_id, board_id, stage_id, status, title, value_cents, currency, priority,
				labels, assignee_ids, contact_id, contact_name, contact_phone, custom_fields, position, version, stage_entered_at,
				search, origin, created_at, updated_at) VALUES `)
			var args []any
			for i := start; i < min(start+per, n); i++ {
				if i > start {
					sb.WriteString(", ")
				}
				st, kind := stageIDs[i%len(stageIDs)], kinds[i%len(stageIDs)]
				id := db.NewID()
				out[st] = append(out[st], id)
				title := fmt.Sprintf("Deal %05d", i)
				name := fmt.Sprintf("Contato %05d", i)
				phone := fmt.Sprintf("+5511%09d", i)
				label := `["lead"]`
				if i%7 == 0 {
					label = `["vip","lead"]`
				}
				vals := []any{id, accountID, boardID, st, kind, title, int64(1000 + i%50*100), "BRL", "none", label, "[]",
					100000 + i, name, phone, "{}", float64(i/len(stageIDs)+1) * 1024, 1, now,
					strings.ToLower(title + "\n" + name + "\n" + phone), "manual", now, now}
				sb.WriteString("(")
				for j, v := range vals {
					if j > 0 {
						sb.WriteString(", ")
					}
					args = append(args, v)
					fmt.Fprintf(&sb, "$%d", len(args))
				}
				sb.WriteString(")")
			}
			_, err := tx.ExecContext(ctx, sb.String(), args...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	// A bulk insert leaves PostgreSQL without statistics until autovacuum
	// analyses the table (a minute or more later); meanwhile its planner may
	// take a board's index for a card lookup by id and scan the whole board
	// (10,000 rows for each move). Analyse now, as autovacuum soon would.
	if d.Dialect == db.Postgres {
		if _, err := d.W.ExecContext(ctx, `ANALYZE kanban_cards`); err != nil {
			return nil, err
		}
	}
	return out, nil
}
