package provider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/intake"
)

var errWebhookAuth = httpx.E(httpx.CodeUnauthorized, "the webhook could not be authenticated")

// Verify answers Meta's subscription check: the challenge is echoed only
// for the provider's own verify token.
func (s *Service) Verify(w http.ResponseWriter, r *http.Request) error {
	p, err := providerByID(r.Context(), s.DB.R, r.PathValue("providerID"))
	q := r.URL.Query()
	if err != nil || p.Type != TypeCloudAPI || q.Get("hub.mode") != "subscribe" ||
		subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(p.VerifyToken)) != 1 {
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		return httpx.E(httpx.CodeForbidden, "verification refused")
	}
	challenge := q.Get("hub.challenge")
	if len(challenge) > 200 {
		return httpx.E(httpx.CodeBadRequest, "the challenge is too long")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, challenge)
	return nil
}

// Receive authenticates a provider webhook (Cloud API: X-Hub-Signature-256
// over the raw body with the app secret; Evolution: the URL token), routes
// it to the instance by the payload, and stores it with its job like the
// Chatwoot intake. Nothing is stored unless it authenticated.
func (s *Service) Receive(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := providerByID(ctx, s.DB.R, r.PathValue("providerID"))
	if errors.Is(err, db.ErrNotFound) {
		return errWebhookAuth
	} else if err != nil {
		return err
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.E(httpx.CodeTooLarge, "the body is too large")
	}
	t, err := s.target(p)
	if err != nil {
		return err
	}
	switch p.Type {
	case TypeCloudAPI:
		if !validMetaSignature(t.Creds.AppSecret, r.Header.Get("X-Hub-Signature-256"), raw) {
			return errWebhookAuth
		}
	case TypeEvolution:
		tok, err := s.webhookToken(p)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("token")), []byte(tok)) != 1 {
			return errWebhookAuth
		}
	}
	obj, err := intake.Decode(raw)
	if err != nil {
		return err
	}
	event, key := route(p.Type, obj)
	if event == "" {
		return httpx.Invalid(httpx.FieldError{Field: "body", Message: "not a " + p.Type + " webhook event"})
	}
	// Providers retry the same bytes: the body's hash makes a retry count once.
	sum := sha256.Sum256(raw)
	st, err := s.Intake.Put(ctx, intake.Incoming{AccountID: p.AccountID, Source: intake.SourceProvider,
		SourceID: p.ID + ":" + key, Event: event, DedupeKey: hex.EncodeToString(sum[:]), Payload: raw, Object: obj})
	if err != nil {
		return err
	}
	if !st.Fresh {
		httpx.WriteJSON(w, http.StatusOK, map[string]bool{"duplicate": true})
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"received": true, "id": st.ID})
	return nil
}

func validMetaSignature(secret, header string, body []byte) bool {
	sig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || secret == "" {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(m.Sum(nil), got)
}

// route names the event and the instance key: Evolution's instance name,
// or the Cloud API's phone_number_id ("messages" or "statuses" events).
func route(typ string, obj map[string]any) (event, key string) {
	if typ == TypeEvolution {
		event, _ = obj["event"].(string)
		key, _ = obj["instance"].(string)
		return event, key
	}
	if o, _ := obj["object"].(string); o != "whatsapp_business_account" {
		return "", ""
	}
	entries, _ := obj["entry"].([]any)
	for _, e := range entries {
		em, _ := e.(map[string]any)
		changes, _ := em["changes"].([]any)
		for _, c := range changes {
			cm, _ := c.(map[string]any)
			v, _ := cm["value"].(map[string]any)
			md, _ := v["metadata"].(map[string]any)
			key, _ = md["phone_number_id"].(string)
			switch {
			case v["statuses"] != nil:
				event = "statuses"
			case v["messages"] != nil:
				event = "messages"
			default:
				event, _ = cm["field"].(string)
			}
			if key != "" {
				return event, key
			}
		}
	}
	return event, key
}

// Handlers are the dispatcher's handlers for provider events; message
// events have none until the gateway lands, so they end visibly ignored.
func (s *Service) Handlers() map[string]intake.EventHandler {
	return map[string]intake.EventHandler{
		"provider:connection.update": s.onConnection,
		"provider:qrcode.updated":    s.onQRCode,
	}
}

func (s *Service) instanceOf(ctx context.Context, ex *intake.Execution) (*Instance, error) {
	providerID, key, _ := strings.Cut(ex.SourceID, ":")
	i, err := instanceByKey(ctx, s.DB.R, providerID, key)
	if err != nil || i.AccountID != ex.AccountID {
		return nil, errors.New("no number of this provider is named " + key)
	}
	return i, nil
}

func (s *Service) onConnection(ctx context.Context, ex *intake.Execution) error {
	var ev struct {
		Data struct {
			State string `json:"state"`
		} `json:"data"`
	}
	if err := json.Unmarshal(ex.Payload, &ev); err != nil {
		return err
	}
	return s.applyEvent(ctx, ex, EvolutionStatus(ev.Data.State))
}

func (s *Service) onQRCode(ctx context.Context, ex *intake.Execution) error {
	return s.applyEvent(ctx, ex, StatusQRRequired)
}

// applyEvent sets the number's status from an event unless a newer event
// was applied already: jobs run concurrently, so a QR update sent before
// the phone connected may finish after the "open" event.
func (s *Service) applyEvent(ctx context.Context, ex *intake.Execution, status string) error {
	i, err := s.instanceOf(ctx, ex)
	if err != nil {
		return err
	}
	var env struct {
		DateTime string `json:"date_time"`
	}
	_ = json.Unmarshal(ex.Payload, &env)
	at, err := time.Parse(time.RFC3339Nano, env.DateTime)
	if err != nil {
		at = s.now() // no usable time: order of processing decides
	}
	at = at.UTC().Truncate(time.Microsecond)
	now := s.now()
	_, err = s.DB.W.ExecContext(ctx, `UPDATE provider_instances SET
		status_changed_at = CASE WHEN status <> $1 THEN $2 ELSE status_changed_at END,
		status = $1, last_error = '', last_event_at = $3, updated_at = $2
		WHERE account_id = $4 AND id = $5 AND (last_event_at IS NULL OR last_event_at <= $3)`,
		status, now, at, i.AccountID, i.ID)
	return err
}
