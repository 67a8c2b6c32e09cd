package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"

	"github.com/whatpro/hub/internal/httpx"
)

// SourceProvider marks events from WhatsApp providers.
const SourceProvider = "provider"

// Decode parses a provider's JSON body into a generic object (numbers kept
// exact) for routing; bad JSON is a 400.
func Decode(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, httpx.E(httpx.CodeBadRequest, "the body must hold a single JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, httpx.E(httpx.CodeBadRequest, "the body must be a JSON object")
	}
	return obj, nil
}

// StoreExternal stores an event that the caller already authenticated
// (provider webhooks), redacted like Chatwoot's, with its processing job,
// deduplicated by the hash of the raw body (providers retry the same bytes).
func (h *Handler) StoreExternal(ctx context.Context, accountID, source, sourceID, event string, raw []byte, obj map[string]any) (string, bool, error) {
	redact(obj, false)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return "", false, httpx.E(httpx.CodeBadRequest, "the body is not valid JSON")
	}
	sum := sha256.Sum256(raw)
	return h.store(ctx, accountID, source, sourceID, event, hex.EncodeToString(sum[:]), bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nowOf(h.Now))
}
