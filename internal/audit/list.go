package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Filter narrows List. Empty fields do not filter. Action is exact, or a
// prefix when it ends in '*' ("auth.*"). The time range is half-open:
// From <= created_at < To.
type Filter struct {
	ActorID, ActorType, Action string
	ResourceType, ResourceID   string
	From, To                   time.Time
}

// Row is an entry as clients see it: never the MAC or its key id.
type Row struct {
	ID           string          `json:"id"`
	Seq          int64           `json:"seq"`
	AccountID    string          `json:"account_id"`
	ActorType    string          `json:"actor_type"`
	ActorID      string          `json:"actor_id"`
	Action       string          `json:"action"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	IP           string          `json:"ip"`
	UserAgent    string          `json:"user_agent"`
	RequestID    string          `json:"request_id"`
	Before       json.RawMessage `json:"before"`
	After        json.RawMessage `json:"after"`
	CreatedAt    time.Time       `json:"created_at"`
}

// List returns up to p.Limit+1 entries of the account's chain, newest
// first; the cursor is the last seq seen. The hub chain is not an account
// and is never listed here.
func (l *Log) List(ctx context.Context, accountID string, f Filter, p httpx.PageParams) ([]Row, error) {
	if accountID == "" || accountID == HubChain {
		return nil, db.ErrNotFound
	}
	// The chain of an account is the account id: this condition is the
	// tenant boundary and every query starts from it.
	q := `SELECT id, seq, account_id, actor_type, actor_id, action, resource_type, resource_id,
		ip, user_agent, request_id, before, after, created_at
		FROM audit_logs WHERE chain_id = $1`
	args := []any{accountID}
	where := func(cond string, vals ...any) {
		n := make([]any, len(vals))
		for i, v := range vals {
			args = append(args, v)
			n[i] = len(args)
		}
		q += " AND " + fmt.Sprintf(cond, n...)
	}
	for _, c := range []struct{ col, val string }{
		{"actor_id", f.ActorID}, {"actor_type", f.ActorType}, {"resource_type", f.ResourceType}, {"resource_id", f.ResourceID},
	} {
		if c.val != "" {
			where(c.col+" = $%d", c.val)
		}
	}
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		// substr, not LIKE: LIKE ignores case on SQLite but not on
		// PostgreSQL, and '_' or '%' in the prefix would be wildcards.
		if prefix != "" {
			where("substr(action, 1, $%d) = $%d", utf8.RuneCountInString(prefix), prefix)
		}
	} else if f.Action != "" {
		where("action = $%d", f.Action)
	}
	// UTC on both sides: SQLite compares the stored text.
	if !f.From.IsZero() {
		where("created_at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		where("created_at < $%d", f.To.UTC())
	}
	if p.After != "" {
		after, err := strconv.ParseInt(p.After, 10, 64)
		if err != nil || after < 1 {
			return nil, httpx.Invalid(httpx.FieldError{Field: "cursor", Message: "is not a cursor returned by this list"})
		}
		where("seq < $%d", after)
	}
	limit := p.Limit
	if limit < 1 {
		limit = 50
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(" ORDER BY seq DESC LIMIT $%d", len(args))

	rows, err := l.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", db.Translate(err))
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		var r Row
		var account, before, after sql.NullString
		if err := rows.Scan(&r.ID, &r.Seq, &account, &r.ActorType, &r.ActorID, &r.Action, &r.ResourceType,
			&r.ResourceID, &r.IP, &r.UserAgent, &r.RequestID, &before, &after, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		r.AccountID = account.String
		r.Before, r.After = rawJSON(before), rawJSON(after)
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func rawJSON(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return json.RawMessage("null")
	}
	return json.RawMessage(s.String)
}
