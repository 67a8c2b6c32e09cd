package audit_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
)

type env struct {
	t   *testing.T
	h   *apptest.Hub
	d   *db.DB
	log *audit.Log
}

func setup(t *testing.T, dialect string) *env {
	t.Helper()
	h := apptest.New(t, dialect, apptest.Options{NoServer: true})
	return &env{t: t, h: h, d: h.App.DB, log: audit.New(h.App.DB, h.App.Keys)}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// record writes e in a transaction of its own.
func (e *env) record(en audit.Entry) {
	e.t.Helper()
	must(e.t, e.d.Tx(context.Background(), func(tx *sql.Tx) error {
		return e.log.Record(context.Background(), tx, en)
	}))
}

// exec runs tampering SQL straight against the database.
func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.d.W.ExecContext(context.Background(), q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// chain returns the seqs stored for a chain, in order.
func (e *env) chain(chainID string) []int64 {
	e.t.Helper()
	rows, err := e.d.R.QueryContext(context.Background(),
		`SELECT seq FROM audit_logs WHERE chain_id = $1 ORDER BY seq`, chainID)
	must(e.t, err)
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var s int64
		must(e.t, rows.Scan(&s))
		out = append(out, s)
	}
	must(e.t, rows.Err())
	return out
}

func (e *env) verify() audit.Report {
	e.t.Helper()
	rep, err := audit.Verify(context.Background(), e.d, e.h.App.Keys)
	must(e.t, err)
	return rep
}

func chainReport(t *testing.T, rep audit.Report, chainID string) audit.ChainReport {
	t.Helper()
	for _, c := range rep.Chains {
		if c.ChainID == chainID {
			return c
		}
	}
	t.Fatalf("no report for chain %s in %+v", chainID, rep)
	return audit.ChainReport{}
}

func login(account, user string) audit.Entry {
	return audit.Entry{AccountID: account, ActorType: audit.ActorUser, ActorID: user,
		Action: "auth.login.succeeded", ResourceType: "user", ResourceID: user, IP: "203.0.113.9"}
}
