package provider

import (
	"errors"
	"io"
	"net/http"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/intake"
)

var (
	errWebhookAuth     = httpx.E(httpx.CodeUnauthorized, "the webhook could not be authenticated")
	errRefusedTooOften = httpx.E(httpx.CodeRateLimited, "too many deliveries to this provider failed authentication; retry in a minute")
)

// refuse answers a webhook that failed authentication: 401, or 429 once
// the provider's budget of refusals is spent (key "unknown" for ids that
// name no provider).
func (s *Service) refuse(key string) error {
	if !s.Refusals.Spend("provider:" + key) {
		return errRefusedTooOften
	}
	return errWebhookAuth
}

// Verify answers a provider's subscription check through its adapter
// (Meta's hub.challenge); a provider whose type has none is refused.
func (s *Service) Verify(w http.ResponseWriter, r *http.Request) error {
	refused := httpx.E(httpx.CodeForbidden, "verification refused")
	p, err := providerByID(r.Context(), s.DB.R, r.PathValue("providerID"))
	if errors.Is(err, db.ErrNotFound) {
		return refused
	} else if err != nil {
		return err
	}
	a, err := s.adapter(p)
	if err != nil {
		return refused
	}
	challenge, ok := a.Challenge(r.URL.Query(), p.VerifyToken)
	if !ok {
		return refused
	}
	if len(challenge) > 200 {
		return httpx.E(httpx.CodeBadRequest, "the challenge is too long")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, challenge)
	return nil
}

// receipt is what one stored part answers.
type receipt struct {
	ID        string `json:"id,omitempty"`
	Event     string `json:"event"`
	Duplicate bool   `json:"duplicate,omitempty"`
	Ignored   string `json:"ignored,omitempty"`
}

// Receive authenticates a provider webhook with the provider's adapter
// (Cloud API: X-Hub-Signature-256; Evolution: the URL token), splits it
// into its events and stores each with its job. Nothing is stored unless
// it authenticated, and a provider of a type the hub does not speak is
// refused. An event for no number of the provider is stored ignored with
// the reason and still answered 200.
func (s *Service) Receive(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ha, err := s.webhookAuth(ctx, r.PathValue("providerID"))
	switch {
	case errors.Is(err, db.ErrNotFound):
		return s.refuse("unknown")
	case errors.Is(err, errUnsupportedType):
		httpx.Logger(ctx).Warn("provider webhook refused", "provider_id", ha.p.ID, "reason", "unsupported provider type "+ha.p.Type)
		return s.refuse(ha.p.ID)
	case err != nil:
		return err
	}
	p, a := ha.p, ha.a
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.E(httpx.CodeTooLarge, "the body is too large")
	}
	if !a.Authenticate(r, raw, ha.sec) {
		return s.refuse(p.ID)
	}
	obj, err := intake.Decode(raw)
	if err != nil {
		return err
	}
	parts := a.Split(p.ID, raw, obj)
	out := make([]receipt, 0, len(parts))
	fresh := false
	for _, part := range parts {
		rc, err := s.storePart(r, p, part)
		if err != nil {
			return err
		}
		fresh = fresh || !rc.Duplicate
		out = append(out, rc)
	}
	body := map[string]any{"received": true, "events": out}
	if len(out) > 0 {
		body["id"] = out[0].ID
	}
	if !fresh {
		body = map[string]any{"duplicate": true, "events": out}
	}
	httpx.WriteJSON(w, http.StatusOK, body)
	return nil
}

// storePart routes one part to its number and stores it: with its job
// when it routes, ignored with the reason when it does not.
func (s *Service) storePart(r *http.Request, p *Provider, part Part) (receipt, error) {
	ctx := r.Context()
	if part.Ignore == "" {
		if ok, err := s.routes(ctx, p.ID, part.Key); err != nil {
			return receipt{}, err
		} else if !ok {
			part.Ignore = "no number of this provider is " + part.Key
		}
	}
	rc := receipt{Event: part.Event, Ignored: part.Ignore}
	// Each part deduplicates on its own key (the wamid, the wamid and
	// status), never on the whole POST's bytes.
	st, err := s.Intake.Put(ctx, intake.Incoming{AccountID: p.AccountID, Source: intake.SourceProvider,
		SourceID: part.SourceID, Event: part.Event, DedupeKey: part.Dedupe, OrderKey: part.OrderKey, Object: part.Payload,
		Ignored: part.Ignore})
	if err != nil {
		return receipt{}, err
	}
	rc.ID = st.ID
	if !st.Fresh {
		rc.ID, rc.Duplicate = "", true
	}
	return rc, nil
}
