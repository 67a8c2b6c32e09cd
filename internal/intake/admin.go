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

// Event is a stored execution as admins see it. Payload is the stored
// (redacted) JSON object, null once purged.
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
	query := `SELECT id, source, source_id, event, delivery_id, status, attempts, last_error, received_at, updated_at, payload
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
		out = append(out, e)
	}
	return out, rows.Err()
}

// Replay answers POST /api/v1/accounts/{accountID}/webhook-events/{eventID}/replay:
// a done, ignored or dead event goes back to received with a new job.
// Another account's event is 404; a purged payload, or an event that is
// still queued or waiting for River's next retry, is 409.
func (h *Handler) Replay(w http.ResponseWriter, r *http.Request) error {
	accountID, err := accountOf(r)
	if err != nil {
		return err
	}
	eventID := r.PathValue("eventID")
	if eventID == "" || len(eventID) > 64 {
		return httpx.NotFound()
	}
	ctx, now := r.Context(), nowOf(h.Now)
	err = h.DB.Tx(ctx, func(tx *sql.Tx) error {
		// One conditional update decides and changes at once, so two
		// replays racing cannot queue the event twice.
		res, err := tx.ExecContext(ctx, `UPDATE event_executions SET status = $3, last_error = '', updated_at = $4
			WHERE account_id = $1 AND id = $2 AND payload IS NOT NULL AND status IN ('done', 'ignored', 'dead')`,
			accountID, eventID, StatusReceived, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return whyNotReplayable(ctx, tx, accountID, eventID)
		}
		if _, err := h.Jobs.InsertTx(ctx, tx, ProcessArgs{ExecutionID: eventID}, insertOpts(h.MaxAttempts)); err != nil {
			return err
		}
		if h.IAM == nil {
			return nil
		}
		return h.IAM.Audit.Record(ctx, tx, h.IAM.Entry(r, accountID, "webhook_event.replayed", "webhook_event", eventID))
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"id": eventID, "status": StatusReceived})
	return nil
}

func whyNotReplayable(ctx context.Context, tx *sql.Tx, accountID, eventID string) error {
	var status string
	var purged bool
	err := tx.QueryRowContext(ctx, `SELECT status, payload IS NULL FROM event_executions WHERE account_id = $1 AND id = $2`,
		accountID, eventID).Scan(&status, &purged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return httpx.NotFound()
	case err != nil:
		return err
	case purged:
		return httpx.E(httpx.CodeConflict, "the payload of this event was purged after the retention period; it cannot be replayed")
	default:
		return httpx.E(httpx.CodeConflict, "the event is "+status+" and will be processed again without a replay; replay it once it is done, ignored or dead")
	}
}
