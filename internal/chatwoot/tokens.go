package chatwoot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Instance token lifetimes (minutes).
const (
	minTTL     = 15
	maxTTL     = 60
	defaultTTL = 30
)

// instanceToken is a row of instance_tokens.
type instanceToken struct {
	ID, AccountID, UserID, Origin string
	Scopes                        []string
	ExpiresAt                     time.Time
	RevokedAt                     *time.Time
	AccountStatus                 string
}

// mint stores a new opaque token (wpi_ + 256 random bits, hashed at rest).
func (s *Service) mint(ctx context.Context, tx *sql.Tx, accountID, userID, origin, parentID string, scopes []string, ttl time.Duration) (string, time.Time, error) {
	tok := iam.RandomToken("wpi_")
	now := s.now()
	exp := now.Add(ttl)
	raw, _ := json.Marshal(scopes)
	var parent any
	if parentID != "" {
		parent = parentID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO instance_tokens (id, hash, account_id, user_id, scopes, origin, parent_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, db.NewID(), iam.HashToken(tok), accountID, userID, string(raw), origin, parent, now, exp)
	return tok, exp, db.Translate(err)
}

func tokenByHash(ctx context.Context, q db.Querier, tok string) (*instanceToken, error) {
	t := &instanceToken{}
	var scopes string
	err := q.QueryRowContext(ctx, `SELECT t.id, t.account_id, t.user_id, t.origin, t.scopes, t.expires_at, t.revoked_at, a.status
		FROM instance_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1`,
		iam.HashToken(tok)).Scan(&t.ID, &t.AccountID, &t.UserID, &t.Origin, &scopes, &t.ExpiresAt, &t.RevokedAt, &t.AccountStatus)
	if err != nil {
		return nil, db.Translate(err)
	}
	_ = json.Unmarshal([]byte(scopes), &t.Scopes)
	return t, nil
}

// check validates a presented token: known, not revoked, not expired, and
// of an account that is not suspended.
func (s *Service) check(ctx context.Context, tok string) (*instanceToken, error) {
	t, err := s.cachedToken(ctx, tok)
	if errors.Is(err, db.ErrNotFound) {
		return nil, httpx.E(httpx.CodeTokenInvalid, "the instance token is not valid")
	} else if err != nil {
		return nil, err
	}
	switch {
	case t.RevokedAt != nil:
		return nil, httpx.E(httpx.CodeTokenRevoked, "the instance token was revoked")
	case !t.ExpiresAt.After(s.now()):
		return nil, httpx.E(httpx.CodeTokenExpired, "the instance token has expired")
	case t.AccountStatus == "suspended":
		return nil, httpx.E(httpx.CodeAccountSuspended, "this account is suspended")
	}
	return t, nil
}

// Resolve implements iam.TokenResolver. A request that carries an Origin
// must come from the hub itself, or from an origin of the token's own
// account (and, for a token an SSO minted, from that very origin).
func (s *Service) Resolve(ctx context.Context, tok string, r *http.Request) (*iam.Principal, error) {
	t, err := s.check(ctx, tok)
	if err != nil {
		return nil, err
	}
	if o := r.Header.Get("Origin"); o != "" && o != s.HubOrigin() {
		canon := httpx.CanonicalOrigin(o)
		if canon == "" || (t.Origin != "" && canon != t.Origin) || !s.originOf(ctx, canon, t.AccountID) {
			return nil, httpx.E(httpx.CodeTokenInvalid, "the instance token is not valid from this origin")
		}
	}
	return &iam.Principal{Kind: iam.KindInstanceToken, KeyID: t.ID, UserID: t.UserID, AccountID: t.AccountID,
		Scopes: t.Scopes, ExpiresAt: t.ExpiresAt}, nil
}

type createTokenReq struct {
	AccountID  string   `json:"account_id"`
	Scopes     []string `json:"scopes"`
	TTLMinutes int      `json:"ttl_minutes"`
}

// CreateToken mints an instance token for the caller (a console session,
// or an instance token asking for the same or narrower scopes).
func (s *Service) CreateToken(w http.ResponseWriter, r *http.Request) error {
	var in createTokenReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, acc := iam.PrincipalFrom(r.Context()), iam.AccessFrom(r.Context())
	if p.Kind == iam.KindAPIKey {
		return httpx.E(httpx.CodeForbidden, "API keys cannot mint instance tokens")
	}
	if in.TTLMinutes == 0 {
		in.TTLMinutes = defaultTTL
	}
	var bad []httpx.FieldError
	if in.TTLMinutes < minTTL || in.TTLMinutes > maxTTL {
		bad = append(bad, httpx.FieldError{Field: "ttl_minutes", Message: "must be between 15 and 60"})
	}
	if len(in.Scopes) == 0 {
		bad = append(bad, httpx.FieldError{Field: "scopes", Message: "at least one scope is required"})
	}
	for _, sc := range in.Scopes {
		if !iam.ValidScope(sc) {
			bad = append(bad, httpx.FieldError{Field: "scopes", Message: "unknown scope " + truncate(sc, 40)})
		}
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	for _, sc := range in.Scopes {
		if !acc.Can(sc) {
			return httpx.E(httpx.CodeForbidden, "your role does not have the scope "+sc)
		}
	}
	ttl := time.Duration(in.TTLMinutes) * time.Minute
	origin, parent := "", ""
	if p.Kind == iam.KindInstanceToken {
		// A token minted from a token lives no longer than it and dies
		// with it (revoking the parent revokes its descendants).
		if s.now().Add(ttl).After(p.ExpiresAt) {
			ttl = p.ExpiresAt.Sub(s.now())
		}
		parent = p.KeyID
		if t, err := tokenByHash(r.Context(), s.DB.R, bearer(r)); err == nil {
			origin = t.Origin
		}
	}
	slices.Sort(in.Scopes)
	in.Scopes = slices.Compact(in.Scopes)
	var tok string
	var exp time.Time
	err := s.IAM.WriteTx(r.Context(), func(tx *sql.Tx) error {
		var err error
		tok, exp, err = s.mint(r.Context(), tx, acc.AccountID, p.UserID, origin, parent, in.Scopes, ttl)
		return err
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"token": tok, "expires_at": exp, "scopes": in.Scopes, "account_id": acc.AccountID})
	return nil
}

// ValidateToken answers whether the presented instance token is valid.
func (s *Service) ValidateToken(w http.ResponseWriter, r *http.Request) error {
	t, err := s.check(r.Context(), bearer(r))
	if err != nil {
		e := httpx.AsError(err)
		if e.Code == httpx.CodeInternal {
			return err
		}
		httpx.WriteJSON(w, http.StatusUnauthorized, map[string]any{"valid": false,
			"error": map[string]string{"code": e.Code, "message": e.Message, "request_id": httpx.RequestID(r.Context())}})
		return nil
	}
	out := map[string]any{"valid": true, "scopes": t.Scopes, "account_id": t.AccountID, "user_id": t.UserID, "expires_at": t.ExpiresAt}
	// identity_linked: the token signs in a hub login (the Chatwoot identity
	// was linked to it, or the token was minted by the console), so embedded
	// pages stop offering to link. A placeholder user (a Chatwoot identity
	// only) answers false.
	placeholder, err := iam.IsPlaceholder(r.Context(), s.DB.R, t.UserID)
	if err != nil {
		return err
	}
	out["identity_linked"] = !placeholder
	// Embedded pages check appContext against the linked Chatwoot account;
	// agents cannot read the link itself.
	if l, err := linkByAccount(r.Context(), s.DB.R, t.AccountID); err == nil {
		out["chatwoot_account_id"] = l.ChatwootAccountID
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// RevokeCurrent revokes the presented instance token.
func (s *Service) RevokeCurrent(w http.ResponseWriter, r *http.Request) error {
	p := iam.PrincipalFrom(r.Context())
	if p.Kind != iam.KindInstanceToken {
		return httpx.E(httpx.CodeForbidden, "present the instance token to revoke")
	}
	_, err := s.DB.W.ExecContext(r.Context(), `WITH RECURSIVE family (id) AS (
			SELECT id FROM instance_tokens WHERE id = $2
			UNION SELECT t.id FROM instance_tokens t JOIN family f ON t.parent_id = f.id)
		UPDATE instance_tokens SET revoked_at = $1 WHERE id IN (SELECT id FROM family) AND revoked_at IS NULL`, s.now(), p.KeyID)
	if err != nil {
		return err
	}
	s.cacheOf().Changed()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RevokeMember revokes a user's instance tokens in an account; it runs in
// the transaction that removes or disables the membership.
func (s *Service) RevokeMember(r *http.Request, tx *sql.Tx, accountID, userID string) error {
	_, err := tx.ExecContext(r.Context(), `UPDATE instance_tokens SET revoked_at = $1 WHERE account_id = $2 AND user_id = $3 AND revoked_at IS NULL`,
		s.now(), accountID, userID)
	return err
}

func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// CheckInstanceToken implements iam.TokenChecker: the token with this id is
// neither revoked nor expired.
func (s *Service) CheckInstanceToken(ctx context.Context, id string) error {
	expires, revoked, err := s.tokenStateByID(ctx, id)
	switch {
	case errors.Is(db.Translate(err), db.ErrNotFound):
		return httpx.E(httpx.CodeTokenInvalid, "the instance token is not valid")
	case err != nil:
		return err
	case revoked != nil:
		return httpx.E(httpx.CodeTokenRevoked, "the instance token was revoked")
	case !expires.After(s.now()):
		return httpx.E(httpx.CodeTokenExpired, "the instance token has expired")
	}
	return nil
}
