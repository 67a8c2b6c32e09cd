package privacy

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// ExportFormat names the archive's layout.
const ExportFormat = "whatpro-account-export/1"

var snapshot = map[db.Dialect]*sql.TxOptions{
	db.SQLite:   {ReadOnly: true},
	db.Postgres: {ReadOnly: true, Isolation: sql.LevelRepeatableRead},
}

// Export streams the account's archive: every registered section read in
// one snapshot, so the parts agree with each other. The export itself is
// audited on the account's chain first.
func (s *Service) Export(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), r.PathValue("accountID")
	s.mu.RLock()
	secs := slices.Clone(s.sections)
	s.mu.RUnlock()
	names := make([]string, len(secs))
	for i, sec := range secs {
		names[i] = sec.Name
	}
	if err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		e := s.Entry(r, accountID, "account.exported", "account", accountID)
		e.After = map[string]any{"sections": names}
		return s.Audit.Record(ctx, tx, e)
	}); err != nil {
		return err
	}
	tx, err := s.DB.R.BeginTx(ctx, snapshot[s.DB.Dialect])
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	now := s.now()
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="whatpro-export-%s-%s.json"`, accountID, now.Format("20060102T150405Z")))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Export-Sections", fmt.Sprint(len(secs)))
	bw := bufio.NewWriterSize(w, 64<<10)
	head, _ := json.Marshal(map[string]any{"format": ExportFormat, "account_id": accountID, "exported_at": now, "section_names": names})
	bw.Write(head[:len(head)-1])
	bw.WriteString(`,"sections":{`)
	for i, sec := range secs {
		if i > 0 {
			bw.WriteByte(',')
		}
		name, _ := json.Marshal(sec.Name)
		bw.Write(name)
		bw.WriteString(":[")
		if err := writeSection(ctx, tx, s.DB.Dialect, sec, accountID, bw); err != nil {
			// The status is sent: cut the connection so the archive is
			// visibly broken rather than silently short.
			httpx.Logger(ctx).Error("export failed", "section", sec.Name, "error", err.Error())
			panic(http.ErrAbortHandler)
		}
		bw.WriteString("]")
		if f, ok := w.(http.Flusher); ok {
			bw.Flush()
			f.Flush()
		}
	}
	bw.WriteString("}}\n")
	return bw.Flush()
}

var tableExists = map[db.Dialect]string{
	db.SQLite:   `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`,
	db.Postgres: `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`,
}

func writeSection(ctx context.Context, tx *sql.Tx, d db.Dialect, sec Section, accountID string, bw *bufio.Writer) error {
	if sec.IfTable != "" {
		var n int
		if err := tx.QueryRowContext(ctx, tableExists[d], sec.IfTable).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
	rows, err := tx.QueryContext(ctx, sec.Query, accountID)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	first := true
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		obj := make(map[string]any, len(cols))
		for i, c := range cols {
			obj[c] = cell(vals[i], slices.Contains(sec.JSON, c))
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		bw.Write(b)
	}
	return rows.Err()
}

// cell turns a scanned value into what JSON shows: text as text, JSON
// columns embedded, times in UTC.
func cell(v any, isJSON bool) any {
	switch x := v.(type) {
	case []byte:
		v = string(x)
	case time.Time:
		return x.UTC()
	}
	if s, ok := v.(string); ok && isJSON {
		if json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
	}
	return v
}
