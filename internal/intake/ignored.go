package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// StoreIgnored stores an authenticated event that nothing will process
// (a provider event for no known number): final status ignored with the
// reason, no job, deduplicated like StoreExternal by the hash of dedupe.
// It is kept so admins see what the provider sent and why it went
// nowhere, and so the provider gets its 2xx (Meta retries a 4xx for days
// and then disables the subscription).
func (h *Handler) StoreIgnored(ctx context.Context, accountID, source, sourceID, event string, dedupe []byte,
	obj map[string]any, reason string) (string, bool, error) {
	redact(obj, false)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return "", false, httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
	}
	sum := sha256.Sum256(dedupe)
	id, now := db.NewID(), nowOf(h.Now)
	res, err := h.DB.W.ExecContext(ctx, `INSERT INTO event_executions
		(id, account_id, source, source_id, event, delivery_id, payload, status, attempts, last_error, received_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $10)
		ON CONFLICT (source, source_id, delivery_id) DO NOTHING`,
		id, accountID, source, sourceID, event, hex.EncodeToString(sum[:]),
		string(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})), StatusIgnored, clip(reason), now)
	if err != nil {
		return "", false, db.Translate(err)
	}
	n, err := res.RowsAffected()
	return id, n > 0, err
}
