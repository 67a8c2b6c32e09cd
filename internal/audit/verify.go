package audit

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"fmt"
	"sort"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/secret"
)

// ChainReport is the verdict on one chain. When OK is false, FirstBrokenSeq
// is the first seq that does not verify (for a missing row, the seq it
// should have had) and FirstBrokenID the row there, if one exists.
type ChainReport struct {
	ChainID        string `json:"chain_id"`
	Rows           int64  `json:"rows"`
	OK             bool   `json:"ok"`
	FirstBrokenSeq int64  `json:"first_broken_seq,omitempty"`
	FirstBrokenID  string `json:"first_broken_id,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

// Report covers every chain, ordered by chain id; OK only if all are.
type Report struct {
	OK     bool          `json:"ok"`
	Chains []ChainReport `json:"chains"`
}

// Broken lists the chains that failed.
func (r Report) Broken() []ChainReport {
	var out []ChainReport
	for _, c := range r.Chains {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// verifyTx asks for one snapshot, so rows and heads written meanwhile
// cannot look like tampering. A SQLite read transaction is a snapshot from
// its first read; PostgreSQL needs REPEATABLE READ.
var verifyTx = map[db.Dialect]*sql.TxOptions{
	db.SQLite:   nil,
	db.Postgres: {Isolation: sql.LevelRepeatableRead, ReadOnly: true},
}

type head struct {
	seq int64
	mac string
}

// Verify checks every chain: each row's MAC under the key named by its
// mac_key_id, seq contiguous from 1, linkage to the previous row's MAC,
// and the head equal to the last row. Rows are streamed in (chain_id, seq)
// order; only the heads, one per chain, are held in memory.
func Verify(ctx context.Context, d *db.DB, ring *secret.Ring) (Report, error) {
	keys := map[string][]byte{}
	for _, k := range ring.DeriveAll(secret.PurposeAuditMAC, macKeySize) {
		keys[k.ID] = k.Key
	}
	tx, err := d.R.BeginTx(ctx, verifyTx[d.Dialect])
	if err != nil {
		return Report{}, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	heads, err := loadHeads(ctx, tx)
	if err != nil {
		return Report{}, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, chain_id, seq, account_id, actor_type, actor_id, action,
		resource_type, resource_id, ip, user_agent, request_id, before, after, created_at, mac_key_id, mac,
		mac_version, personal_digest FROM audit_logs ORDER BY chain_id, seq`)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	rep := Report{OK: true}
	var cur *chainCheck
	finish := func() {
		if cur != nil {
			h, ok := heads[cur.rep.ChainID]
			delete(heads, cur.rep.ChainID)
			rep.add(cur.end(h, ok))
		}
	}
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.ID, &r.ChainID, &r.Seq, &r.AccountID, &r.ActorType, &r.ActorID, &r.Action,
			&r.ResourceType, &r.ResourceID, &r.IP, &r.UserAgent, &r.RequestID, &r.Before, &r.After,
			&r.CreatedAt, &r.KeyID, &r.MAC, &r.Version, &r.PersonalDigest); err != nil {
			return Report{}, fmt.Errorf("audit: verify: %w", err)
		}
		if cur == nil || cur.rep.ChainID != r.ChainID {
			finish()
			cur = &chainCheck{rep: ChainReport{ChainID: r.ChainID}}
		}
		cur.row(&r, keys)
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	finish()
	// A head without rows: every row of that chain was removed.
	for id, h := range heads {
		c := chainCheck{rep: ChainReport{ChainID: id}}
		rep.add(c.end(h, true))
	}
	sort.Slice(rep.Chains, func(i, j int) bool { return rep.Chains[i].ChainID < rep.Chains[j].ChainID })
	return rep, nil
}

func (r *Report) add(c ChainReport) {
	r.Chains = append(r.Chains, c)
	r.OK = r.OK && c.OK
}

func loadHeads(ctx context.Context, tx *sql.Tx) (map[string]head, error) {
	rows, err := tx.QueryContext(ctx, `SELECT chain_id, seq, mac FROM audit_heads`)
	if err != nil {
		return nil, fmt.Errorf("audit: verify heads: %w", err)
	}
	defer rows.Close()
	out := map[string]head{}
	for rows.Next() {
		var id string
		var h head
		if err := rows.Scan(&id, &h.seq, &h.mac); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

// chainCheck walks one chain in seq order and keeps the first break.
type chainCheck struct {
	rep     ChainReport
	lastSeq int64
	lastMAC string
	broken  bool
}

func (c *chainCheck) fail(seq int64, id, reason string) {
	if !c.broken {
		c.broken = true
		c.rep.FirstBrokenSeq, c.rep.FirstBrokenID, c.rep.Reason = seq, id, reason
	}
}

func (c *chainCheck) row(r *record, keys map[string][]byte) {
	c.rep.Rows++
	defer func() { c.lastSeq, c.lastMAC = r.Seq, r.MAC }()
	if c.broken {
		return
	}
	if want := c.lastSeq + 1; r.Seq != want {
		c.fail(want, "", fmt.Sprintf("seq %d is missing: the row after seq %d has seq %d (id %s)", want, c.lastSeq, r.Seq, r.ID))
		return
	}
	if r.PersonalDigest.Valid && (r.IP != "" || r.UserAgent != "" || r.Before.Valid || r.After.Valid) {
		c.fail(r.Seq, r.ID, "the row is marked erased but still holds personal fields")
		return
	}
	key, ok := keys[r.KeyID]
	if !ok {
		c.fail(r.Seq, r.ID, fmt.Sprintf("MAC key %q is not in the key ring", r.KeyID))
		return
	}
	if !hmac.Equal([]byte(r.sum(key, c.lastMAC)), []byte(r.MAC)) {
		c.fail(r.Seq, r.ID, "MAC mismatch: the row was altered, inserted, or does not follow the previous row")
	}
}

// end compares the head with the last row: a head ahead of the rows means
// the newest rows were removed; behind them, rows were appended around it.
func (c *chainCheck) end(h head, ok bool) ChainReport {
	switch {
	case !ok:
		c.fail(c.lastSeq, "", "the chain has no head row")
	case h.seq > c.lastSeq:
		c.fail(c.lastSeq+1, "", fmt.Sprintf("the head says seq %d but the rows end at seq %d: the newest rows were removed", h.seq, c.lastSeq))
	case h.seq < c.lastSeq:
		c.fail(h.seq+1, "", fmt.Sprintf("rows go on to seq %d past the head's seq %d: rows were added outside the log", c.lastSeq, h.seq))
	case h.mac != c.lastMAC:
		c.fail(h.seq, "", "the head's MAC differs from the last row's")
	}
	c.rep.OK = !c.broken
	return c.rep
}
