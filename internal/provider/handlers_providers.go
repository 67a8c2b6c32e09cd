package provider

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/outbound"
	"github.com/whatpro/hub/internal/secret"
)

type providerReq struct {
	Name        *string      `json:"name"`
	Type        string       `json:"type"`
	BaseURL     *string      `json:"base_url"`
	Credentials *Credentials `json:"credentials"`
}

func (s *Service) checkProvider(in *providerReq, typ string, creating bool) error {
	var bad []httpx.FieldError
	if creating && (in.Name == nil || in.BaseURL == nil || in.Credentials == nil) {
		bad = append(bad, httpx.FieldError{Field: "body", Code: httpx.FieldRequired, Message: "name, type, base_url and credentials are required"})
	}
	if in.Name != nil {
		if n := strings.TrimSpace(*in.Name); n == "" || len(n) > 80 {
			bad = append(bad, httpx.Field("name", httpx.FieldTooLong, "must be 1 to 80 characters", "min", 1, "max", 80))
		}
	}
	a, err := adapterFor(typ, s.HTTP)
	if err != nil {
		bad = append(bad, httpx.FieldError{Field: "type", Message: "must be cloud_api or evolution"})
	}
	if in.BaseURL != nil {
		if _, err := outbound.ValidateBaseURL(*in.BaseURL); err != nil {
			bad = append(bad, httpx.FieldError{Field: "base_url", Code: httpx.FieldBadURL, Message: err.Error()})
		}
	}
	if in.Credentials != nil && a != nil {
		if err := a.CheckCredentials(*in.Credentials); err != nil {
			bad = append(bad, httpx.FieldError{Field: "credentials", Message: err.Error()})
		}
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	return nil
}

func (s *Service) sealCreds(id string, c Credentials) (string, error) {
	raw, _ := json.Marshal(c)
	return s.Keys.EncryptString(string(raw), string(secret.AAD("providers", "credentials", id)))
}

// CreateProvider adds a provider; credentials are encrypted and never
// returned.
func (s *Service) CreateProvider(w http.ResponseWriter, r *http.Request) error {
	var in providerReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.checkProvider(&in, in.Type, true); err != nil {
		return err
	}
	ctx, now, accountID := r.Context(), s.now(), iam.AccessFrom(r.Context()).AccountID
	base, _ := outbound.ValidateBaseURL(*in.BaseURL)
	p := &Provider{ID: db.NewID(), AccountID: accountID, Name: strings.TrimSpace(*in.Name), Type: in.Type,
		BaseURL: strings.TrimSuffix(base.String(), "/"), VerifyToken: iam.RandomToken("wpv_")[:36], HealthStatus: "unknown", CreatedAt: now, UpdatedAt: now}
	// Saved only once the provider answered and accepted the credentials.
	if err := s.probe(ctx, p.Type, Target{BaseURL: p.BaseURL, Creds: *in.Credentials}); err != nil {
		return err
	}
	// healthy at save: the status and its check time say it, in the reader's language
	p.HealthStatus, p.LastCheckedAt = "healthy", &now
	var err error
	if p.credentials, err = s.sealCreds(p.ID, *in.Credentials); err != nil {
		return err
	}
	if p.webhookToken, err = s.Keys.EncryptString(iam.RandomToken(""), string(secret.AAD("providers", "webhook_token", p.ID))); err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertProvider(ctx, tx, p); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return httpx.E(httpx.CodeConflict, "a provider with that name exists")
			}
			return err
		}
		return s.audit(ctx, tx, r, accountID, "provider.created", "provider", p.ID, map[string]string{"name": p.Name, "type": p.Type, "base_url": p.BaseURL})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, s.view(p))
	return nil
}

// ListProviders lists the account's providers.
func (s *Service) ListProviders(w http.ResponseWriter, r *http.Request) error {
	pp, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	rows, err := listProviders(r.Context(), s.DB.R, iam.AccessFrom(r.Context()).AccountID, pp)
	if err != nil {
		return err
	}
	for _, p := range rows {
		s.view(p)
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, pp, func(p *Provider) string { return p.ID }))
	return nil
}

// GetProvider shows one provider.
func (s *Service) GetProvider(w http.ResponseWriter, r *http.Request) error {
	p, err := getProvider(r.Context(), s.DB.R, iam.AccessFrom(r.Context()).AccountID, r.PathValue("providerID"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.view(p))
	return nil
}

// UpdateProvider renames it, moves its base URL or replaces credentials.
func (s *Service) UpdateProvider(w http.ResponseWriter, r *http.Request) error {
	var in providerReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	if err := s.probeUpdate(ctx, accountID, r.PathValue("providerID"), &in); err != nil {
		return err
	}
	var out *Provider
	err := s.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		p, err := getProvider(ctx, tx, accountID, r.PathValue("providerID"))
		if err != nil {
			return err
		}
		if in.Type != "" && in.Type != p.Type {
			return httpx.Invalid(httpx.FieldError{Field: "type", Code: httpx.FieldNotAllowed, Message: "cannot change; create another provider"})
		}
		if err := s.checkProvider(&in, p.Type, false); err != nil {
			return err
		}
		if in.Name != nil {
			p.Name = strings.TrimSpace(*in.Name)
		}
		before := p.BaseURL
		moved := false
		if in.BaseURL != nil {
			base, _ := outbound.ValidateBaseURL(*in.BaseURL)
			p.BaseURL = strings.TrimSuffix(base.String(), "/")
			moved = originOf(before) != originOf(p.BaseURL)
		}
		if moved {
			// The stored credentials were given for the old server: sending
			// them to another one takes someone who knows them (or new ones)
			// in this very request. The hub's webhook token is re-made, so
			// the one the old server holds is never sent to the new one.
			if in.Credentials == nil {
				return httpx.Invalid(httpx.FieldError{Field: "credentials",
					Message: "are required again when base_url moves to another server (scheme, host or port)"})
			}
			if p.webhookToken, err = s.Keys.EncryptString(iam.RandomToken(""), string(secret.AAD("providers", "webhook_token", p.ID))); err != nil {
				return err
			}
		}
		if in.Credentials != nil {
			if p.credentials, err = s.sealCreds(p.ID, *in.Credentials); err != nil {
				return err
			}
		}
		p.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE providers SET name = $1, base_url = $2, credentials = $3, webhook_token = $4, updated_at = $5
			WHERE account_id = $6 AND id = $7`, p.Name, p.BaseURL, p.credentials, p.webhookToken, p.UpdatedAt, accountID, p.ID); err != nil {
			if errors.Is(db.Translate(err), db.ErrConflict) {
				return httpx.E(httpx.CodeConflict, "a provider with that name exists")
			}
			return err
		}
		out = p
		if moved {
			e := s.IAM.Entry(r, accountID, "provider.origin_changed", "provider", p.ID)
			e.Before = map[string]any{"base_url": before}
			e.After = map[string]any{"base_url": p.BaseURL, "sensitive": true, "credentials_reentered": true, "webhook_token_rotated": true}
			if err := s.IAM.Audit.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, r, accountID, "provider.updated", "provider", p.ID,
			map[string]any{"name": p.Name, "base_url": p.BaseURL, "credentials_replaced": in.Credentials != nil})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s.view(out))
	return nil
}

// probe tests a target before it is saved, as the Chatwoot link does: a
// refusal is a 422, a server that does not answer as the provider a 502,
// and nothing is saved either way.
func (s *Service) probe(ctx context.Context, typ string, t Target) error {
	a, err := adapterFor(typ, s.HTTP)
	if err != nil {
		return unsupported
	}
	h := a.Test(ctx, t)
	switch {
	case h.Status == "healthy":
		return nil
	case h.Details == ErrRefused.Error():
		return httpx.E(httpx.CodeUnprocessable, "the provider refused the credentials")
	}
	return httpx.E(httpx.CodeUpstream, "the provider could not be reached or answered unexpectedly: "+h.Details)
}

// probeUpdate probes the provider as an update would leave it, when the
// update changes where or how the hub calls it.
func (s *Service) probeUpdate(ctx context.Context, accountID, id string, in *providerReq) error {
	if in.BaseURL == nil && in.Credentials == nil {
		return nil
	}
	p, err := getProvider(ctx, s.DB.R, accountID, id)
	if err != nil {
		return err
	}
	if err := s.checkProvider(in, p.Type, false); err != nil {
		return err
	}
	t, err := s.target(p)
	if err != nil {
		return err
	}
	if in.BaseURL != nil {
		base, _ := outbound.ValidateBaseURL(*in.BaseURL)
		t.BaseURL = strings.TrimSuffix(base.String(), "/")
		if originOf(p.BaseURL) != originOf(t.BaseURL) && in.Credentials == nil {
			return nil // refused below: moving needs the credentials again
		}
	}
	if in.Credentials != nil {
		t.Creds = *in.Credentials
	}
	return s.probe(ctx, p.Type, t)
}

// DeleteProvider removes a provider without instances (409 otherwise).
func (s *Service) DeleteProvider(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID, id := r.Context(), iam.AccessFrom(r.Context()).AccountID, r.PathValue("providerID")
	err := s.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := getProvider(ctx, tx, accountID, id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM provider_instances WHERE account_id = $1 AND provider_id = $2`, accountID, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return httpx.E(httpx.CodeConflict, "the provider still has "+itoa(n)+" number(s); delete them first")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM providers WHERE account_id = $1 AND id = $2`, accountID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, accountID, "provider.deleted", "provider", id, nil)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// TestProvider checks the server and credentials now and records health.
func (s *Service) TestProvider(w http.ResponseWriter, r *http.Request) error {
	ctx, accountID := r.Context(), iam.AccessFrom(r.Context()).AccountID
	p, err := getProvider(ctx, s.DB.R, accountID, r.PathValue("providerID"))
	if err != nil {
		return err
	}
	h, err := s.check(ctx, p)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, h)
	return nil
}

// originOf is the canonical scheme://host[:port] of a stored base URL.
func originOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if o, err := httpx.ParseOrigin(u.Scheme+"://"+u.Host, false); err == nil {
		return o
	}
	return u.Scheme + "://" + u.Host
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
