package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

func TestRecordAndList(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		ctx := context.Background()
		acc, other := db.NewID(), db.NewID()
		e.record(login(acc, "u1"))
		e.record(audit.Entry{AccountID: acc, ActorType: audit.ActorAPIKey, ActorID: "k1", Action: "api_key.created",
			ResourceType: "api_key", ResourceID: "k2", After: map[string]any{"name": "ci"}})
		e.record(login(acc, "u2"))
		e.record(audit.Entry{AccountID: acc, ActorType: audit.ActorUser, ActorID: "u1", Action: "auth.logout"})
		e.record(audit.Entry{AccountID: acc, ActorType: audit.ActorSystem, Action: "authz.changed"})
		e.record(login(other, "u1")) // another tenant: must never show up

		all, err := e.log.List(ctx, acc, audit.Filter{}, httpx.PageParams{Limit: 50})
		must(t, err)
		if got := seqs(all); !slices.Equal(got, []int64{5, 4, 3, 2, 1}) {
			t.Fatalf("seqs = %v, want 5..1 newest first", got)
		}
		for _, r := range all {
			if r.AccountID != acc || r.CreatedAt.Location() != time.UTC {
				t.Fatalf("row %+v: wrong account or not UTC", r)
			}
		}
		mid := all[2].CreatedAt // seq 3
		tests := []struct {
			name string
			f    audit.Filter
			want []int64
		}{
			{"actor id", audit.Filter{ActorID: "u1"}, []int64{4, 1}},
			{"actor type", audit.Filter{ActorType: audit.ActorAPIKey}, []int64{2}},
			{"exact action", audit.Filter{Action: "auth.logout"}, []int64{4}},
			{"prefix action", audit.Filter{Action: "auth.*"}, []int64{4, 3, 1}},
			{"prefix is not a pattern", audit.Filter{Action: "auth_*"}, nil},
			{"prefix is case-sensitive", audit.Filter{Action: "AUTH.*"}, nil},
			{"resource", audit.Filter{ResourceType: "api_key", ResourceID: "k2"}, []int64{2}},
			{"from", audit.Filter{From: mid}, want(all, func(r audit.Row) bool { return !r.CreatedAt.Before(mid) })},
			{"to", audit.Filter{To: mid}, want(all, func(r audit.Row) bool { return r.CreatedAt.Before(mid) })},
			{"from in another zone", audit.Filter{From: mid.In(time.FixedZone("BRT", -3*3600))},
				want(all, func(r audit.Row) bool { return !r.CreatedAt.Before(mid) })},
			{"future", audit.Filter{From: time.Now().Add(time.Hour)}, nil},
		}
		for _, tc := range tests {
			rows, err := e.log.List(ctx, acc, tc.f, httpx.PageParams{Limit: 50})
			must(t, err)
			if got := seqs(rows); !slices.Equal(got, tc.want) {
				t.Errorf("%s: seqs = %v, want %v", tc.name, got, tc.want)
			}
		}

		// Walk the pages two at a time: every row once, newest first.
		var walked []int64
		p := httpx.PageParams{Limit: 2}
		for range 5 {
			rows, err := e.log.List(ctx, acc, audit.Filter{}, p)
			must(t, err)
			page := httpx.NewPage(rows, p, func(r audit.Row) string { return strconv.FormatInt(r.Seq, 10) })
			walked = append(walked, seqs(page.Data)...)
			if !page.Pagination.HasMore {
				break
			}
			p.After = strconv.FormatInt(page.Data[len(page.Data)-1].Seq, 10)
		}
		if !slices.Equal(walked, []int64{5, 4, 3, 2, 1}) {
			t.Fatalf("paged seqs = %v", walked)
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		a, b := db.NewID(), db.NewID()
		e.record(login(a, "ua"))
		e.record(audit.Entry{AccountID: b, ActorType: audit.ActorUser, ActorID: "ub", Action: "card.moved",
			ResourceType: "card", ResourceID: "cb"})
		for _, f := range []audit.Filter{{}, {ActorID: "ub"}, {ResourceID: "cb"}, {Action: "card.*"}} {
			rows, err := e.log.List(context.Background(), a, f, httpx.PageParams{Limit: 200})
			must(t, err)
			for _, r := range rows {
				if r.AccountID != a || r.ActorID == "ub" {
					t.Fatalf("filter %+v: list of A returned %+v", f, r)
				}
			}
		}
		if _, err := e.log.List(context.Background(), audit.HubChain, audit.Filter{}, httpx.PageParams{Limit: 5}); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("listing the hub chain as an account: err = %v, want ErrNotFound", err)
		}
	})
}

func TestRecordHub(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		ctx := context.Background()
		a, b := db.NewID(), db.NewID()
		en := audit.Entry{ActorType: audit.ActorUser, ActorID: "u1", Action: "auth.password.changed",
			ResourceType: "user", ResourceID: "u1"}
		// The hub may have written hub events of its own at start (the
		// bootstrap user), so count what this call adds.
		hubCount := func() (rows, nullAccount int) {
			must(t, e.d.R.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) - COUNT(account_id) FROM audit_logs WHERE chain_id = $1`,
				audit.HubChain).Scan(&rows, &nullAccount))
			return rows, nullAccount
		}
		before, _ := hubCount()
		must(t, e.d.Tx(ctx, func(tx *sql.Tx) error { return e.log.RecordHub(ctx, tx, en, []string{b, a, b}) }))
		if rows, nullAccount := hubCount(); rows != before+1 || nullAccount != rows {
			t.Fatalf("hub chain: %d rows (%d before), %d with NULL account_id; want one more, all NULL", rows, before, nullAccount)
		}
		var last string
		must(t, e.d.R.QueryRowContext(ctx, `SELECT action FROM audit_logs WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1`,
			audit.HubChain).Scan(&last))
		if last != en.Action {
			t.Fatalf("newest hub row is %q, want %q", last, en.Action)
		}
		for _, acc := range []string{a, b} {
			rows, err := e.log.List(ctx, acc, audit.Filter{}, httpx.PageParams{Limit: 50})
			must(t, err)
			if len(rows) != 1 || rows[0].Action != en.Action || rows[0].AccountID != acc || rows[0].Seq != 1 {
				t.Fatalf("account %s: rows %+v, want the one hub event", acc, rows)
			}
		}
		rep := e.verify()
		for _, c := range []string{audit.HubChain, a, b} {
			if cr := chainReport(t, rep, c); !cr.OK {
				t.Fatalf("verify chain %s after RecordHub: %+v", c, cr)
			}
		}
		// An invalid account id writes nothing at all, not even the hub row.
		err := e.d.Tx(ctx, func(tx *sql.Tx) error { return e.log.RecordHub(ctx, tx, en, []string{a, audit.HubChain}) })
		if !errors.Is(err, audit.ErrInvalidEntry) {
			t.Fatalf("RecordHub with account %q: err = %v", audit.HubChain, err)
		}
		if rows, _ := hubCount(); rows != before+1 {
			t.Fatalf("hub chain grew to %d rows after a refused call", rows)
		}
	})
}

func TestRecordRefusesInvalidEntries(t *testing.T) {
	t.Parallel()
	e := setup(t, "sqlite")
	ctx := context.Background()
	for _, en := range []audit.Entry{
		{ActorType: audit.ActorUser, Action: "x.y"},
		{AccountID: audit.HubChain, ActorType: audit.ActorUser, Action: "x.y"},
		{AccountID: "a", ActorType: "robot", Action: "x.y"},
		{AccountID: "a", ActorType: audit.ActorUser},
		{AccountID: "a", ActorType: audit.ActorUser, Action: "x.y", After: func() {}},
	} {
		err := e.d.Tx(ctx, func(tx *sql.Tx) error { return e.log.Record(ctx, tx, en) })
		if !errors.Is(err, audit.ErrInvalidEntry) {
			t.Errorf("Record(%+v) = %v, want ErrInvalidEntry", en, err)
		}
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		acc := db.NewID()
		type creds struct {
			APIKey string `json:"api_key"`
			Region string `json:"region"`
		}
		e.record(audit.Entry{AccountID: acc, ActorType: audit.ActorUser, Action: "provider.updated",
			Before: map[string]any{"Password": "hunter2-secret-value", "name": "old"},
			After: map[string]any{
				"name":        "new",
				"credentials": creds{APIKey: "sk-nested-credential", Region: "br"},
				"config":      map[string]any{"API_KEY": "sk-deeper-credential", "webhook_secret": "whs-credential", "size": 12345678901234567},
				"list":        []any{map[string]any{"accessToken": "tok-in-a-list"}},
			}})
		var before, after string
		must(t, e.d.R.QueryRowContext(context.Background(),
			`SELECT before, after FROM audit_logs WHERE chain_id = $1`, acc).Scan(&before, &after))
		stored := before + after
		for _, s := range []string{"hunter2", "sk-nested", "sk-deeper", "whs-credential", "tok-in-a-list"} {
			if strings.Contains(stored, s) {
				t.Errorf("secret %q reached the table: %s", s, stored)
			}
		}
		for _, s := range []string{`"Password":"[redacted]"`, `"credentials":"[redacted]"`, `"name":"new"`, `"size":12345678901234567`} {
			if !strings.Contains(stored, s) {
				t.Errorf("stored JSON lacks %s: %s", s, stored)
			}
		}
	})
}

func seqs(rows []audit.Row) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r.Seq)
	}
	return out
}

func want(rows []audit.Row, keep func(audit.Row) bool) []int64 {
	var out []int64
	for _, r := range rows {
		if keep(r) {
			out = append(out, r.Seq)
		}
	}
	return out
}
