package app

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/inbox"
	"github.com/whatpro/hub/internal/provider"
	"github.com/whatpro/hub/internal/secret"
)

// EncryptedColumn names a column holding key-ring ciphertexts, bound to
// their row with the AAD secret.AAD(table, column, id).
type EncryptedColumn struct {
	Table, IDColumn, Column string
}

// EncryptedColumns lists every column of the schema that holds secrets;
// each domain adds its own here when it creates one.
func EncryptedColumns() []EncryptedColumn {
	out := append([]EncryptedColumn{}, encryptedColumns...)
	cols := append(append([][3]string{}, chatwoot.EncryptedColumns...), provider.EncryptedColumns...)
	cols = append(cols, inbox.EncryptedColumn, inbox.TokenColumn)
	for _, c := range cols {
		out = append(out, EncryptedColumn{Table: c[0], IDColumn: c[1], Column: c[2]})
	}
	return out
}

var encryptedColumns = []EncryptedColumn{
	{Table: "users", IDColumn: "id", Column: "totp_secret"},
}

// RotateResult says what `whatpro secrets rotate` did.
type RotateResult struct {
	ActiveKey string         `json:"active_key"`
	Columns   []ColumnResult `json:"columns"`
}

// ColumnResult counts one column's values.
type ColumnResult struct {
	Column  string `json:"column"`
	Total   int    `json:"total"`
	Rotated int    `json:"rotated"`
}

// RotateSecrets re-encrypts every value not under the active key, one
// transaction per column; a value changed concurrently is left for the next
// run rather than overwritten.
func RotateSecrets(ctx context.Context, d *db.DB, keys *secret.Ring, cols []EncryptedColumn) (RotateResult, error) {
	res := RotateResult{ActiveKey: keys.ActiveID()}
	for _, c := range cols {
		cr := ColumnResult{Column: c.Table + "." + c.Column}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND %s <> ''`,
				c.IDColumn, c.Column, c.Table, c.Column, c.Column))
			if err != nil {
				return err
			}
			type item struct{ id, val string }
			var items []item
			for rows.Next() {
				var it item
				if err := rows.Scan(&it.id, &it.val); err != nil {
					rows.Close()
					return err
				}
				items = append(items, it)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			cr.Total = len(items)
			for _, it := range items {
				fresh, changed, err := keys.Rotate(it.val, secret.AAD(c.Table, c.Column, it.id))
				if err != nil {
					return fmt.Errorf("%s row %s: %w", cr.Column, it.id, err)
				}
				if !changed {
					continue
				}
				if _, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE %s = $2 AND %s = $3`,
					c.Table, c.Column, c.IDColumn, c.Column), fresh, it.id, it.val); err != nil {
					return err
				}
				cr.Rotated++
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Columns = append(res.Columns, cr)
	}
	return res, nil
}
