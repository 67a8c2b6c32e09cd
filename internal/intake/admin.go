package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Event is a stored event as admins see it, with one execution per
// consumer. Payload is the stored (redacted) JSON object, null once purged.
// Status, Attempts and LastError sum up the executions (the least settled
// status wins); an event no consumer took is ignored with the reason.
type Event struct {
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	SourceID   string          `json:"source_id"`
	Event      string          `json:"event"`
	DeliveryID string          `json:"delivery_id"`
	Status     string          `json:"status"`
	Attempts   int             `json:"attempts"`
	LastError  string          `json:"last_error"`
	ReceivedAt time.Time       `json:"received_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	Payload    json.RawMessage `json:"payload"`
	Executions []Run           `json:"executions"`
}

// Run is one consumer's execution of an event.
type Run struct {
	Consumer  string    `json:"consumer"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Filter narrows ListEvents; empty fields do not filter.
type Filter struct {
	Status string
	Event  string
}

// accountOf is the account the guard resolved for the caller. A route
// mounted without the guard finds none and answers 404: fail closed.
func accountOf(r *http.Request) (string, error) {
	if a := iam.AccessFrom(r.Context()); a != nil && a.AccountID != "" {
		return a.AccountID, nil
	}
	return "", httpx.NotFound()
}

// ListEvents answers GET /api/v1/accounts/{accountID}/webhook-events
// ?status=&event=&limit=&cursor=, newest first.
func (h *Handler) ListEvents(w http.ResponseWriter, r *http.Request) error {
	accountID, err := accountOf(r)
	if err != nil {
		return err
	}
	var bad []httpx.FieldError
	p, err := httpx.ParsePage(r)
	if err != nil {
		var he *httpx.Error
		if !errors.As(err, &he) {
			return err
		}
		bad = append(bad, he.Details...)
	}
	if p.After != "" {
		if _, err := uuid.Parse(p.After); err != nil {
			bad = append(bad, httpx.FieldError{Field: "cursor", Message: "is not a cursor returned by this list"})
		}
	}
	q := r.URL.Query()
	f := Filter{Status: q.Get("status"), Event: q.Get("event")}
	if f.Status != "" && !ValidStatus(f.Status) {
		bad = append(bad, httpx.FieldError{Field: "status", Message: "must be one of received, processing, done, failed, dead, ignored"})
	}
	if f.Event != "" && !validEvent(f.Event) {
		bad = append(bad, httpx.FieldError{Field: "event", Message: "is not an event name"})
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	rows, err := List(r.Context(), h.DB, accountID, f, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, p, func(e Event) string { return e.ID }))
	return nil
}

// List returns up to p.Limit+1 events of the account, newest first; the
// cursor is the last id seen (ids are UUIDv7, so they sort by time).
func List(ctx context.Context, d *db.DB, accountID string, f Filter, p httpx.PageParams) ([]Event, error) {
	// The account condition is the tenant boundary; every filter adds to it.
	query := `SELECT id, source, source_id, event, delivery_header, status, attempts, last_error, received_at, updated_at, payload
		FROM event_executions WHERE account_id = $1`
	args := []any{accountID}
	and := func(cond string, v any) {
		args = append(args, v)
		query += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.Status != "" {
		and("status = $%d", f.Status)
	}
	if f.Event != "" {
		and("event = $%d", f.Event)
	}
	if p.After != "" {
		and("id < $%d", p.After)
	}
	limit := p.Limit
	if limit < 1 {
		limit = 50
	}
	args = append(args, limit+1)
	query += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := d.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("intake: list: %w", db.Translate(err))
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var payload sql.NullString
		if err := rows.Scan(&e.ID, &e.Source, &e.SourceID, &e.Event, &e.DeliveryID, &e.Status, &e.Attempts,
			&e.LastError, &e.ReceivedAt, &e.UpdatedAt, &payload); err != nil {
			return nil, fmt.Errorf("intake: list: %w", err)
		}
		e.ReceivedAt, e.UpdatedAt = e.ReceivedAt.UTC(), e.UpdatedAt.UTC()
		e.Payload = json.RawMessage("null")
		if payload.Valid {
			e.Payload = json.RawMessage(payload.String)
		}
		e.Executions = []Run{}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, attachRuns(ctx, d, accountID, out)
}

// attachRuns loads the executions of the listed events in one query.
func attachRuns(ctx context.Context, d *db.DB, accountID string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	args := []any{accountID}
	in := ""
	at := map[string]int{}
	for i, e := range events {
		args = append(args, e.ID)
		if i > 0 {
			in += ", "
		}
		in += fmt.Sprintf("$%d", len(args))
		at[e.ID] = i
	}
	rows, err := d.R.QueryContext(ctx, `SELECT event_id, consumer, status, attempts, last_error, updated_at FROM event_runs
		WHERE account_id = $1 AND event_id IN (`+in+`) ORDER BY consumer`, args...)
	if err != nil {
		return fmt.Errorf("intake: list executions: %w", db.Translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r Run
		if err := rows.Scan(&id, &r.Consumer, &r.Status, &r.Attempts, &r.LastError, &r.UpdatedAt); err != nil {
			return fmt.Errorf("intake: list executions: %w", err)
		}
		r.UpdatedAt = r.UpdatedAt.UTC()
		events[at[id]].Executions = append(events[at[id]].Executions, r)
	}
	return rows.Err()
}

// Replay answers POST /api/v1/accounts/{accountID}/webhook-events/{eventID}/replay
// ?consumer=: every execution of the event that is done, ignored or dead
// (or only the named consumer's) goes back to received with a new job;
// the others are left alone, so a replay never re-runs an effect nobody
// asked for. An event nobody consumed when it arrived gets an execution
// per consumer it has now. Another account's event is 404; a purged
// payload, or nothing replayable, is 409.
func (h *Handler) Replay(w http.ResponseWriter, r *http.Request) error {
	accountID, err := accountOf(r)
	if err != nil {
		return err
	}
	eventID := r.PathValue("eventID")
	if eventID == "" || len(eventID) > 64 {
		return httpx.NotFound()
	}
	consumer := r.URL.Query().Get("consumer")
	if len(consumer) > 60 {
		return httpx.Invalid(httpx.FieldError{Field: "consumer", Message: "is not a consumer name"})
	}
	ctx, now := r.Context(), nowOf(h.Now)
	var replayed []string
	err = h.DB.Tx(ctx, func(tx *sql.Tx) error {
		var source, event, status string
		var purged bool
		err := tx.QueryRowContext(ctx, `SELECT source, event, status, payload IS NULL FROM event_executions
			WHERE account_id = $1 AND id = $2`, accountID, eventID).Scan(&source, &event, &status, &purged)
		if errors.Is(err, sql.ErrNoRows) {
			return httpx.NotFound()
		} else if err != nil {
			return err
		}
		if purged {
			return httpx.E(httpx.CodeConflict, "the payload of this event was purged after the retention period; it cannot be replayed")
		}
		if replayed, err = h.replayRuns(ctx, tx, accountID, eventID, consumer, now); err != nil {
			return err
		}
		if len(replayed) == 0 {
			if replayed, err = h.adoptConsumers(ctx, tx, accountID, eventID, source, event, consumer, now); err != nil {
				return err
			}
		}
		if len(replayed) == 0 {
			return whyNotReplayable(ctx, tx, accountID, eventID, consumer)
		}
		if err := summarize(ctx, tx, eventID, now); err != nil {
			return err
		}
		if h.IAM == nil {
			return nil
		}
		e := h.IAM.Entry(r, accountID, "webhook_event.replayed", "webhook_event", eventID)
		e.After = map[string]any{"consumers": replayed}
		return h.IAM.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	if wk, ok := h.Consumers.(interface{ Wake() }); ok {
		wk.Wake()
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]any{"id": eventID, "status": StatusReceived, "consumers": replayed})
	return nil
}

// replayRuns queues again the final executions (of consumer, if named).
func (h *Handler) replayRuns(ctx context.Context, tx *sql.Tx, accountID, eventID, consumer string, now time.Time) ([]string, error) {
	q := `SELECT consumer FROM event_runs WHERE account_id = $1 AND event_id = $2 AND status IN ('done', 'ignored', 'dead')`
	args := []any{accountID, eventID}
	if consumer != "" {
		q += ` AND consumer = $3`
		args = append(args, consumer)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY consumer`, args...)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, c := range names {
		// One conditional update decides and changes at once, so two
		// replays racing cannot queue an execution twice.
		res, err := tx.ExecContext(ctx, `UPDATE event_runs SET status = $4, last_error = '', updated_at = $5, run_at = $5,
			replayed_attempts = attempts
			WHERE account_id = $1 AND event_id = $2 AND consumer = $3 AND status IN ('done', 'ignored', 'dead')`,
			accountID, eventID, c, StatusReceived, now)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 0 {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// adoptConsumers gives an event stored without executions (nobody
// consumed it then, or its account was suspended) one per consumer it
// has now.
func (h *Handler) adoptConsumers(ctx context.Context, tx *sql.Tx, accountID, eventID, source, event, consumer string,
	now time.Time) ([]string, error) {
	var runs int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_runs WHERE event_id = $1`, eventID).Scan(&runs); err != nil {
		return nil, err
	}
	if h.Consumers == nil || runs > 0 {
		return nil, nil
	}
	var add []string
	for _, c := range h.Consumers.ConsumersOf(source, event) {
		if consumer != "" && c != consumer {
			continue
		}
		add = append(add, c)
	}
	if len(add) == 0 {
		return nil, nil
	}
	if err := addRuns(ctx, tx, accountID, eventID, add, now); err != nil {
		return nil, err
	}
	return add, nil
}

func whyNotReplayable(ctx context.Context, tx *sql.Tx, accountID, eventID, consumer string) error {
	q := `SELECT status FROM event_runs WHERE account_id = $1 AND event_id = $2`
	args := []any{accountID, eventID}
	if consumer != "" {
		q += ` AND consumer = $3`
		args = append(args, consumer)
	}
	var status string
	err := tx.QueryRowContext(ctx, q+` ORDER BY consumer LIMIT 1`, args...).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows) && consumer != "":
		return httpx.E(httpx.CodeConflict, "no consumer named "+truncate(consumer, 60)+" handles this event")
	case errors.Is(err, sql.ErrNoRows):
		return httpx.E(httpx.CodeConflict, "no consumer handles this event")
	case err != nil:
		return err
	default:
		return httpx.E(httpx.CodeConflict, "the event is "+status+" and will be processed again without a replay; replay it once it is done, ignored or dead")
	}
}
