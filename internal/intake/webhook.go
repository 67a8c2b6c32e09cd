package intake

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Handler serves the webhook intake and the admin API over stored events.
type Handler struct {
	DB      *db.DB
	Jobs    Enqueuer
	Secrets Secrets
	Now     func() time.Time // default time.Now
	MaxBody int64            // default DefaultMaxBody
	// MaxAttempts overrides DefaultMaxAttempts for new and replayed jobs.
	MaxAttempts int
	// IAM, when set, records replays in the account's audit log (with the
	// caller, IP and request id, as every admin action).
	IAM *iam.Service
	// OnStored, when set, is told of every newly stored event (usage).
	OnStored func(accountID string)
}

var errUnauthorized = httpx.E(httpx.CodeUnauthorized, "the webhook could not be authenticated: unknown link, or a missing, wrong or stale signature or token")

// ChatwootWebhook answers POST /webhooks/chatwoot/{linkID}: an account
// webhook of a Chatwoot link.
func (h *Handler) ChatwootWebhook(w http.ResponseWriter, r *http.Request) error {
	return h.intake(w, r, SourceChatwoot, r.PathValue("linkID"), h.Secrets.ChatwootLink)
}

// ChatwootInboxWebhook answers POST /webhooks/chatwoot/inboxes/{inboxLinkID}:
// the webhook_url callback of an API inbox the hub created.
func (h *Handler) ChatwootInboxWebhook(w http.ResponseWriter, r *http.Request) error {
	return h.intake(w, r, SourceChatwootInbox, r.PathValue("inboxLinkID"), h.Secrets.ChatwootInboxLink)
}

// intake authenticates, parses, deduplicates and stores one delivery with
// its job. Nothing is written unless every check passed.
func (h *Handler) intake(w http.ResponseWriter, r *http.Request, source, linkID string,
	lookup func(context.Context, string) (Link, error)) error {
	ctx, log := r.Context(), httpx.Logger(r.Context())
	refuse := func(reason error) error {
		log.Info("webhook refused", "source", source, "link_id", linkID, "reason", reason.Error())
		return errUnauthorized
	}
	if linkID == "" || len(linkID) > 64 {
		return refuse(errors.New("malformed link id"))
	}
	link, err := lookup(ctx, linkID)
	if errors.Is(err, db.ErrNotFound) {
		return refuse(errors.New("unknown link"))
	} else if err != nil {
		return err
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	now := nowOf(h.Now)
	if err := authenticate(link, r.Header.Get("X-Chatwoot-Timestamp"), r.Header.Get("X-Chatwoot-Signature"),
		r.URL.Query().Get("token"), body, now); err != nil {
		return refuse(err)
	}
	event, payload, err := parsePayload(body)
	if err != nil {
		return err
	}
	delivery, err := deliveryID(r.Header.Get("X-Chatwoot-Delivery"), body)
	if err != nil {
		return err
	}
	id, fresh, err := h.store(ctx, link.AccountID, source, linkID, event, delivery, payload, now)
	if err != nil {
		return err
	}
	if !fresh {
		httpx.WriteJSON(w, http.StatusOK, map[string]bool{"duplicate": true})
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"received": true, "id": id})
	return nil
}

// readBody reads the raw body, which the signature covers, up to MaxBody.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := h.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	tooLarge := httpx.E(httpx.CodeTooLarge, "the body is larger than "+strconv.FormatInt(limit, 10)+" bytes")
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, tooLarge
	case err != nil:
		return nil, httpx.E(httpx.CodeBadRequest, "the body could not be read")
	}
	return body, nil
}

// deliveryID is X-Chatwoot-Delivery (a UUID Chatwoot makes per delivery)
// or, when absent, the hex SHA-256 of the body.
func deliveryID(header string, body []byte) (string, error) {
	if header == "" {
		sum := sha256.Sum256(body)
		return hex.EncodeToString(sum[:]), nil
	}
	if len(header) > 200 {
		return "", httpx.Invalid(httpx.FieldError{Field: "X-Chatwoot-Delivery", Message: "must be at most 200 characters"})
	}
	for i := 0; i < len(header); i++ {
		if header[i] <= ' ' || header[i] > '~' {
			return "", httpx.Invalid(httpx.FieldError{Field: "X-Chatwoot-Delivery", Message: "must be printable ASCII without spaces"})
		}
	}
	return header, nil
}

// store inserts the execution and its job in one transaction. A delivery
// already stored for the same link inserts nothing and reports !fresh.
func (h *Handler) store(ctx context.Context, accountID, source, sourceID, event, delivery string, payload []byte,
	now time.Time) (id string, fresh bool, err error) {
	id = db.NewID()
	err = h.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO event_executions
			(id, account_id, source, source_id, event, delivery_id, payload, status, attempts, last_error, received_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '', $9, $9)
			ON CONFLICT (source, source_id, delivery_id) DO NOTHING`,
			id, accountID, source, sourceID, event, delivery, string(payload), StatusReceived, now)
		if err != nil {
			return db.Translate(err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		fresh = true
		_, err = h.Jobs.InsertTx(ctx, tx, ProcessArgs{ExecutionID: id}, insertOpts(h.MaxAttempts))
		return err
	})
	if err == nil && fresh && h.OnStored != nil {
		h.OnStored(accountID)
	}
	return id, fresh, err
}
