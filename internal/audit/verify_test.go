package audit_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/secret"
)

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		tests := []struct {
			name    string
			tamper  func(chain string) (wantID string)
			seq     int64
			reason  string
			cleanly bool
		}{
			{name: "untouched", cleanly: true, tamper: func(string) string { return "" }},
			{name: "altered action", seq: 3, reason: "MAC mismatch", tamper: func(c string) string {
				e.exec(`UPDATE audit_logs SET action = 'auth.login.failed' WHERE chain_id = $1 AND seq = 3`, c)
				return e.rowID(c, 3)
			}},
			{name: "middle row deleted", seq: 3, reason: "seq 3 is missing", tamper: func(c string) string {
				e.exec(`DELETE FROM audit_logs WHERE chain_id = $1 AND seq = 3`, c)
				return ""
			}},
			{name: "newest row deleted", seq: 5, reason: "newest rows were removed", tamper: func(c string) string {
				e.exec(`DELETE FROM audit_logs WHERE chain_id = $1 AND seq = 5`, c)
				return ""
			}},
			{name: "forged row inserted", seq: 6, reason: "MAC mismatch", tamper: func(c string) string {
				id := db.NewID()
				e.exec(`INSERT INTO audit_logs (id, chain_id, seq, account_id, actor_type, actor_id, action,
					created_at, mac_key_id, mac)
					SELECT $2, chain_id, 6, account_id, actor_type, 'intruder', 'api_key.created', created_at, mac_key_id, $3
					FROM audit_logs WHERE chain_id = $1 AND seq = 5`, c, id, strings.Repeat("ab", 32))
				// A careful forger moves the head too; the MAC still gives it away.
				e.exec(`UPDATE audit_heads SET seq = 6, mac = $2 WHERE chain_id = $1`, c, strings.Repeat("ab", 32))
				return id
			}},
		}
		chains := map[string]string{}
		for _, tc := range tests {
			acc := db.NewID()
			chains[tc.name] = acc
			for i := range 5 {
				e.record(login(acc, fmt.Sprint("u", i)))
			}
		}
		if rep := e.verify(); !rep.OK {
			t.Fatalf("clean log does not verify: %+v", rep)
		}
		wantIDs := map[string]string{}
		for _, tc := range tests {
			wantIDs[tc.name] = tc.tamper(chains[tc.name])
		}
		rep := e.verify()
		if rep.OK || len(rep.Broken()) != len(tests)-1 {
			t.Fatalf("report OK=%v with %d broken chains, want %d: %+v", rep.OK, len(rep.Broken()), len(tests)-1, rep)
		}
		for _, tc := range tests {
			c := chainReport(t, rep, chains[tc.name])
			if tc.cleanly {
				if !c.OK || c.Rows != 5 {
					t.Errorf("%s: %+v, want ok with 5 rows", tc.name, c)
				}
				continue
			}
			if c.OK || c.FirstBrokenSeq != tc.seq || c.FirstBrokenID != wantIDs[tc.name] || !strings.Contains(c.Reason, tc.reason) {
				t.Errorf("%s: %+v, want first broken seq %d id %q reason containing %q",
					tc.name, c, tc.seq, wantIDs[tc.name], tc.reason)
			}
		}
	})
}

func TestConcurrentWritersKeepOneChain(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		ctx := context.Background()
		acc := db.NewID()
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs <- e.d.Tx(ctx, func(tx *sql.Tx) error {
					return e.log.Record(ctx, tx, login(acc, fmt.Sprint("u", i)))
				})
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		if got := e.chain(acc); !slices.Equal(got, want) {
			t.Fatalf("seqs = %v, want 1..%d", got, n)
		}
		if rep := e.verify(); !rep.OK {
			t.Fatalf("verify: %+v", rep)
		}
	})
}

func TestKeyRotationKeepsOldRowsVerifiable(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		e := setup(t, dialect)
		acc := db.NewID()
		e.record(login(acc, "u1"))
		e.record(login(acc, "u2"))

		k := make([]byte, secret.KeySize)
		_, _ = rand.Read(k)
		rotated, err := secret.Parse("t2:" + base64.StdEncoding.EncodeToString(k) + "," + apptest.TestKeys)
		must(t, err)
		e.log = audit.New(e.d, rotated)
		e.record(login(acc, "u3"))

		var ids []string
		rows, err := e.d.R.QueryContext(context.Background(), `SELECT mac_key_id FROM audit_logs WHERE chain_id = $1 ORDER BY seq`, acc)
		must(t, err)
		for rows.Next() {
			var id string
			must(t, rows.Scan(&id))
			ids = append(ids, id)
		}
		rows.Close()
		if !slices.Equal(ids, []string{"t1", "t1", "t2"}) {
			t.Fatalf("mac_key_id per row = %v, want t1 t1 t2", ids)
		}
		rep, err := audit.Verify(context.Background(), e.d, rotated)
		must(t, err)
		if !rep.OK {
			t.Fatalf("after rotation to B,A: %+v", rep)
		}
		// Without key A the old rows cannot be vouched for.
		onlyB, err := secret.Parse("t2:" + base64.StdEncoding.EncodeToString(k))
		must(t, err)
		rep, err = audit.Verify(context.Background(), e.d, onlyB)
		must(t, err)
		if c := chainReport(t, rep, acc); c.OK || c.FirstBrokenSeq != 1 || !strings.Contains(c.Reason, `"t1"`) {
			t.Fatalf("verify without key t1: %+v", c)
		}
	})
}

func (e *env) rowID(chainID string, seq int64) string {
	e.t.Helper()
	var id string
	must(e.t, e.d.R.QueryRowContext(context.Background(),
		`SELECT id FROM audit_logs WHERE chain_id = $1 AND seq = $2`, chainID, seq).Scan(&id))
	return id
}
