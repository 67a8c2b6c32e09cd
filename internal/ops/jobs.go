package ops

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/whatpro/hub/internal/audit"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/jobs"
)

// Jobs is the super admin's view of the job queue: depth per kind and
// state, the jobs of a state, and retry or discard of one job, audited
// on the hub chain.
type Jobs struct {
	DB    *db.DB
	Queue *jobs.Queue
	Audit interface {
		RecordHub(ctx context.Context, tx *sql.Tx, e audit.Entry, accountIDs []string) error
	}
	// Entry builds the audit entry of a request (actor, ip, request id).
	Entry func(r *http.Request, action, resType, resID string) audit.Entry
}

// States are River's job states, in the order an operator reads them.
var States = []string{"available", "scheduled", "pending", "running", "retryable", "discarded", "cancelled", "completed"}

// KindCounts is one job kind's count per state.
type KindCounts struct {
	Kind   string         `json:"kind"`
	Counts map[string]int `json:"counts"`
	// Depth is what waits to run: available, scheduled, pending and
	// retryable.
	Depth int `json:"depth"`
}

// JobView is one job as operators see it. Args are not answered (they
// carry ids only, but an operator needs none of them); the account is.
type JobView struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	Attempt     int        `json:"attempt"`
	MaxAttempts int        `json:"max_attempts"`
	AccountID   string     `json:"account_id,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	AttemptedAt *time.Time `json:"attempted_at"`
	FinalizedAt *time.Time `json:"finalized_at"`
}

func viewOf(j *rivertype.JobRow) JobView {
	v := JobView{ID: j.ID, Kind: j.Kind, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		CreatedAt: j.CreatedAt.UTC(), ScheduledAt: j.ScheduledAt.UTC(), AttemptedAt: utc(j.AttemptedAt), FinalizedAt: utc(j.FinalizedAt)}
	var args struct {
		AccountID string `json:"account_id"`
	}
	if json.Unmarshal(j.EncodedArgs, &args) == nil {
		v.AccountID = args.AccountID
	}
	if n := len(j.Errors); n > 0 {
		v.LastError = j.Errors[n-1].Error
		if len(v.LastError) > 500 {
			v.LastError = v.LastError[:500] + "…"
		}
	}
	return v
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Summary answers the count of jobs per kind and state, and the totals.
func (h *Jobs) Summary(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.DB.R.QueryContext(r.Context(), `SELECT kind, state, count(*) FROM river_job GROUP BY kind, state ORDER BY kind`)
	type kc struct {
		kind, state string
		n           int
	}
	list, err := db.Collect(rows, err, func(s interface{ Scan(...any) error }) (kc, error) {
		var c kc
		return c, s.Scan(&c.kind, &c.state, &c.n)
	})
	if err != nil {
		return err
	}
	totals := map[string]int{}
	for _, s := range States {
		totals[s] = 0
	}
	out := []*KindCounts{}
	byKind := map[string]*KindCounts{}
	for _, c := range list {
		k := byKind[c.kind]
		if k == nil {
			k = &KindCounts{Kind: c.kind, Counts: map[string]int{}}
			for _, s := range States {
				k.Counts[s] = 0
			}
			byKind[c.kind] = k
			out = append(out, k)
		}
		k.Counts[c.state] += c.n
		totals[c.state] += c.n
		if c.state == "available" || c.state == "scheduled" || c.state == "pending" || c.state == "retryable" {
			k.Depth += c.n
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "totals": totals})
	return nil
}

// List answers the jobs of one state (newest first), of one kind when
// asked, a page at a time.
func (h *Jobs) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	state := q.Get("state")
	if !slices.Contains(States, state) {
		return httpx.Invalid(httpx.FieldError{Field: "state", Message: "must be one of available, scheduled, pending, running, retryable, discarded, cancelled, completed"})
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return httpx.Invalid(httpx.FieldError{Field: "limit", Message: "must be a whole number from 1 to 200"})
		}
		limit = n
	}
	params := river.NewJobListParams().States(rivertype.JobState(state)).First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if kind := q.Get("kind"); kind != "" {
		params = params.Kinds(kind)
	}
	if c := q.Get("cursor"); c != "" {
		var cur river.JobListCursor
		if err := cur.UnmarshalText([]byte(c)); err != nil {
			return httpx.Invalid(httpx.FieldError{Field: "cursor", Message: "is not a cursor this list answered"})
		}
		params = params.After(&cur)
	}
	res, err := h.Queue.List(r.Context(), params)
	if err != nil {
		return err
	}
	page := httpx.Page[JobView]{Data: []JobView{}}
	for _, j := range res.Jobs {
		page.Data = append(page.Data, viewOf(j))
	}
	if len(res.Jobs) == limit && res.LastCursor != nil {
		if b, err := res.LastCursor.MarshalText(); err == nil {
			page.Pagination = httpx.Pagination{HasMore: true, NextCursor: string(b)}
		}
	}
	httpx.WriteJSON(w, http.StatusOK, page)
	return nil
}

// Retry runs a job that is not running again now.
func (h *Jobs) Retry(w http.ResponseWriter, r *http.Request) error {
	return h.change(w, r, "job.retried", func(ctx context.Context, tx *sql.Tx, j *rivertype.JobRow) (*rivertype.JobRow, error) {
		if j.State == rivertype.JobStateRunning {
			return nil, httpx.E(httpx.CodeConflict, "the job is running; wait for its attempt to end")
		}
		return h.Queue.RetryTx(ctx, tx, j.ID)
	})
}

// Discard makes sure a job never runs again: a waiting or running job is
// cancelled; a dead (discarded or cancelled) one is removed from the list.
func (h *Jobs) Discard(w http.ResponseWriter, r *http.Request) error {
	return h.change(w, r, "job.discarded", func(ctx context.Context, tx *sql.Tx, j *rivertype.JobRow) (*rivertype.JobRow, error) {
		switch j.State {
		case rivertype.JobStateCompleted:
			return nil, httpx.E(httpx.CodeConflict, "the job completed; there is nothing to discard")
		case rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
			return h.Queue.DeleteTx(ctx, tx, j.ID)
		}
		return h.Queue.CancelTx(ctx, tx, j.ID)
	})
}

func (h *Jobs) change(w http.ResponseWriter, r *http.Request, action string,
	fn func(context.Context, *sql.Tx, *rivertype.JobRow) (*rivertype.JobRow, error)) error {
	id, err := strconv.ParseInt(r.PathValue("jobID"), 10, 64)
	if err != nil || id <= 0 {
		return httpx.NotFound()
	}
	ctx := r.Context()
	var out *rivertype.JobRow
	err = h.DB.Tx(ctx, func(tx *sql.Tx) error {
		j, err := h.Queue.GetTx(ctx, tx, id)
		if errors.Is(err, river.ErrNotFound) {
			return httpx.NotFound()
		} else if err != nil {
			return err
		}
		before := viewOf(j)
		if out, err = fn(ctx, tx, j); err != nil {
			return err
		}
		e := h.Entry(r, action, "job", strconv.FormatInt(id, 10))
		e.Before = map[string]any{"kind": before.Kind, "state": before.State, "attempt": before.Attempt}
		e.After = map[string]any{"state": string(out.State)}
		return h.Audit.RecordHub(ctx, tx, e, nil)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, viewOf(out))
	return nil
}
