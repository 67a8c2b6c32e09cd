package intake

import (
	"context"
	"crypto/sha256"
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

// Handler serves the Chatwoot webhook intake and the admin API over
// stored events.
type Handler struct {
	DB      *db.DB
	Store   *Store
	Secrets Secrets
	// Consumers tells a replay of an event nobody consumed yet who does now.
	Consumers Consumers
	Now       func() time.Time // default time.Now
	MaxBody   int64            // default DefaultMaxBody
	// IAM, when set, records replays in the account's audit log (with the
	// caller, IP and request id, as every admin action).
	IAM *iam.Service
	// Refusals limits failed authentications per link (nil: unlimited).
	Refusals *Refusals
	// OrderKeys derives, per source, an event's Incoming.OrderKey from
	// its decoded body; a source without one stores events unkeyed.
	OrderKeys map[string]func(event string, obj map[string]any) string
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
// its jobs. Nothing is written unless every check passed; once it
// authenticated, only a failure to store answers 5xx.
func (h *Handler) intake(w http.ResponseWriter, r *http.Request, source, linkID string,
	lookup func(context.Context, string) (Link, error)) error {
	ctx := r.Context() // its logger is built only when something is logged
	budget := source + ":" + linkID
	refuse := func(reason error) error {
		if !h.Refusals.Spend(budget) {
			return errRefusedTooOften
		}
		httpx.Logger(ctx).Info("webhook refused", "source", source, "link_id", linkID, "reason", reason.Error())
		return errUnauthorized
	}
	if linkID == "" || len(linkID) > 64 {
		budget = source + ":unknown"
		return refuse(errors.New("malformed link id"))
	}
	link, err := lookup(ctx, linkID)
	if errors.Is(err, db.ErrNotFound) {
		budget = source + ":unknown"
		return refuse(errors.New("unknown link"))
	} else if err != nil {
		return err
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	now := nowOf(h.Now)
	ts, sig, tok := r.Header.Get("X-Chatwoot-Timestamp"), r.Header.Get("X-Chatwoot-Signature"), r.URL.Query().Get("token")
	authErr := authenticate(link, ts, sig, tok, body, now)
	if rf, ok := h.Secrets.(Refresher); ok && source == SourceChatwootInbox && sig != "" &&
		(authErr != nil || link.Secret == "") {
		// A signed callback the recorded secret does not verify: an admin
		// rotated it in Chatwoot, or Chatwoot was upgraded to sign. Read
		// the inbox's secret again (rate limited by the refresher).
		if fresh, err := rf.RefreshChatwootInboxLink(ctx, linkID); err == nil {
			if err := authenticate(fresh, ts, sig, tok, body, now); err == nil {
				link, authErr = fresh, nil
			}
		} else {
			httpx.Logger(ctx).Info("inbox secret not re-read", "link_id", linkID, "reason", err.Error())
		}
	}
	if authErr != nil {
		return refuse(authErr)
	}
	event, obj, err := parseChatwoot(body)
	if err != nil {
		return err
	}
	delivery := r.Header.Get("X-Chatwoot-Delivery")
	if len(delivery) > 200 || !printable(delivery) {
		delivery = ""
	}
	in := Incoming{AccountID: link.AccountID, Source: source, SourceID: linkID, Event: event,
		DedupeKey: chatwootDedupeKey(event, obj, ts, sig != "" && link.Secret != "", body), DeliveryID: delivery,
		Payload: body, Object: obj}
	if key := h.OrderKeys[source]; key != nil {
		in.OrderKey = key(event, obj) // before Put, which redacts obj in place
	}
	st, err := h.Store.Put(ctx, in)
	if err != nil {
		var he *httpx.Error
		if errors.As(err, &he) {
			return err
		}
		httpx.Logger(ctx).Error("authenticated webhook not stored", "source", source, "link_id", linkID, "error", err.Error())
		return err
	}
	if !st.Fresh {
		httpx.WriteJSON(w, http.StatusOK, duplicateAnswer{Duplicate: true})
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, receivedAnswer{ID: st.ID, Received: true})
	return nil
}

// What a delivery is answered: typed, so each answer encodes without a map.
type (
	receivedAnswer struct { // fields in the order a map gave them before
		ID       string `json:"id"`
		Received bool   `json:"received"`
	}
	duplicateAnswer struct {
		Duplicate bool `json:"duplicate"`
	}
)

// chatwootDedupeKey is what makes a Chatwoot event count once. A created
// message, conversation or contact exists once, so its id decides:
// Chatwoot enqueues some events twice, each with a new delivery id. Other
// events (a Retry of a failed message is a message_updated) count once
// per delivery: what the signature covers (timestamp and body) when
// signed, else the body. The X-Chatwoot-Delivery header is not signed, so
// it never decides.
func chatwootDedupeKey(event string, obj map[string]any, ts string, signed bool, body []byte) string {
	switch event {
	case "message_created", "conversation_created", "contact_created":
		if id := idOf(obj["id"]); id != "" {
			return event + ":" + id
		}
	}
	h := sha256.New()
	if signed {
		h.Write([]byte(ts))
		h.Write([]byte{'.'})
	}
	h.Write(body)
	prefix := "body:"
	if signed {
		prefix = "sig:"
	}
	return prefix + hex.EncodeToString(h.Sum(nil))
}

// idOf is a JSON id (a number, or a short printable string) as text.
func idOf(v any) string {
	switch t := v.(type) {
	case interface{ String() string }: // json.Number
		if s := t.String(); len(s) <= 40 && printable(s) {
			return s
		}
	case string:
		if len(t) <= 100 && printable(t) && t != "" {
			return t
		}
	}
	return ""
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
