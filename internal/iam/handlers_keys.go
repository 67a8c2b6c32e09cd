package iam

import (
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

type createKeyReq struct {
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at"`
}

type createKeyResp struct {
	ID        string     `json:"id"`
	Key       string     `json:"key"`
	Prefix    string     `json:"prefix"`
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// CreateAPIKey issues a key whose scopes are a subset of the caller's
// permissions in the account; the full key is answered once.
func (s *Service) CreateAPIKey(w http.ResponseWriter, r *http.Request) error {
	// A console session only: an embedded page's token (or a key) must not
	// turn itself into a long-lived credential.
	p, err := sessionUser(r)
	if err != nil {
		return err
	}
	var in createKeyReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx, now, acc := r.Context(), s.now(), AccessFrom(r.Context())
	var c checks
	c.text("name", in.Name, 1, 100)
	if len(in.Scopes) == 0 {
		c.addCode("scopes", httpx.FieldRequired, "at least one scope is required")
	}
	for _, sc := range in.Scopes {
		if !ValidScope(sc) {
			c.addCode("scopes", httpx.FieldUnknown, "unknown scope "+truncate(sc, 40), "value", truncate(sc, 40))
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		c.add("expires_at", "must be in the future")
	}
	if err := c.err(); err != nil {
		return err
	}
	if !subset(in.Scopes, acc.Permissions) {
		return httpx.E(httpx.CodeForbidden, "a key cannot hold scopes its creator does not have")
	}
	if !acc.Member {
		return httpx.E(httpx.CodeForbidden, "join the account before creating keys for it")
	}
	slices.Sort(in.Scopes)
	in.Scopes = slices.Compact(in.Scopes)
	prefix := keyPrefix()
	full := apiKeyPrefix + prefix + "." + RandomToken("")
	k := &APIKey{ID: db.NewID(), AccountID: acc.AccountID, Name: strings.TrimSpace(in.Name), Prefix: prefix, Scopes: in.Scopes,
		CreatedBy: p.UserID, CreatedAt: now, ExpiresAt: in.ExpiresAt, secretHash: HashToken(full)}
	if k.ExpiresAt != nil {
		t := k.ExpiresAt.UTC().Truncate(time.Microsecond)
		k.ExpiresAt = &t
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := insertKey(ctx, tx, k); err != nil {
			return err
		}
		e := s.Entry(r, acc.AccountID, "api_key.created", "api_key", k.ID)
		e.After = map[string]any{"name": k.Name, "prefix": k.Prefix, "scopes": k.Scopes, "expires_at": k.ExpiresAt}
		return s.Audit.Record(ctx, tx, e)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, createKeyResp{ID: k.ID, Key: full, Prefix: prefix, Name: k.Name, Scopes: k.Scopes, ExpiresAt: k.ExpiresAt})
	return nil
}

// ListAPIKeys lists the account's keys, never their secrets.
func (s *Service) ListAPIKeys(w http.ResponseWriter, r *http.Request) error {
	pp, err := parsePage(r)
	if err != nil {
		return err
	}
	// The list shows last_used_at: write the pending uses first.
	if err := s.FlushTouches(r.Context()); err != nil {
		return err
	}
	rows, err := listKeys(r.Context(), s.DB.R, AccessFrom(r.Context()).AccountID, pp)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewPage(rows, pp, func(k *APIKey) string { return k.ID }))
	return nil
}

// RevokeAPIKey revokes a key at once.
func (s *Service) RevokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	ctx, now, accountID, keyID := r.Context(), s.now(), AccessFrom(r.Context()).AccountID, r.PathValue("keyID")
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := revokeKey(ctx, tx, accountID, keyID, now); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, s.Entry(r, accountID, "api_key.revoked", "api_key", keyID))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func keyPrefix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:12]
}
