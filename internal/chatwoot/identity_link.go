package chatwoot

import (
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Explicit linking of a Chatwoot identity to an existing hub user. SSO never
// matches users by email; instead the user proves both sides: inside
// Chatwoot (with the identity's instance token) they mint a one-time code,
// and in the console (with their own session) they redeem it.

const linkCodeTTL = 10 * time.Minute

// IdentityLinkCode mints the one-time code (instance tokens from SSO only).
func (s *Service) IdentityLinkCode(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), iam.PrincipalFrom(r.Context())
	if p.Kind != iam.KindInstanceToken {
		return httpx.E(httpx.CodeForbidden, "start the link from inside Chatwoot")
	}
	var origin string
	var cwUser int
	err := s.DB.R.QueryRowContext(ctx, `SELECT ci.origin, ci.chatwoot_user_id FROM chatwoot_identities ci
		JOIN instance_tokens it ON it.user_id = ci.user_id AND it.origin = ci.origin WHERE it.id = $1`, p.KeyID).Scan(&origin, &cwUser)
	if errors.Is(err, sql.ErrNoRows) {
		return httpx.E(httpx.CodeConflict, "this token does not come from a Chatwoot sign-in")
	} else if err != nil {
		return err
	}
	code, now := iam.RandomToken("wpl_"), s.now()
	if _, err := s.DB.W.ExecContext(ctx, `INSERT INTO chatwoot_link_codes (hash, account_id, origin, chatwoot_user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, iam.HashToken(code), p.AccountID, origin, cwUser, now, now.Add(linkCodeTTL)); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"code": code, "expires_at": now.Add(linkCodeTTL),
		"link_url": s.hubURL("/link-chatwoot#code=" + code)})
	return nil
}

// LinkIdentity redeems a code with a console session: the Chatwoot identity
// now signs in as the caller, who takes over the memberships the identity's
// placeholder user held. An identity already linked to a real hub user is
// never moved.
func (s *Service) LinkIdentity(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), iam.PrincipalFrom(r.Context())
	if p.Kind != iam.KindUser {
		return httpx.E(httpx.CodeForbidden, "redeem the code from the console, signed in as yourself")
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	badCode := httpx.Invalid(httpx.FieldError{Field: "code", Message: "is unknown, used or expired; start again from Chatwoot"})
	if !strings.HasPrefix(in.Code, "wpl_") || len(in.Code) > 100 {
		return badCode
	}
	now := s.now()
	var out map[string]any
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var origin string
		var cwUser int
		err := tx.QueryRowContext(ctx, `SELECT origin, chatwoot_user_id FROM chatwoot_link_codes
			WHERE hash = $1 AND used_at IS NULL AND expires_at > $2`, iam.HashToken(in.Code), now).Scan(&origin, &cwUser)
		if errors.Is(err, sql.ErrNoRows) {
			return badCode
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chatwoot_link_codes SET used_at = $1 WHERE hash = $2`, now, iam.HashToken(in.Code)); err != nil {
			return err
		}
		var owner string
		if err := tx.QueryRowContext(ctx, `SELECT user_id FROM chatwoot_identities WHERE origin = $1 AND chatwoot_user_id = $2`,
			origin, cwUser).Scan(&owner); err != nil {
			return db.Translate(err)
		}
		out = map[string]any{"linked": true, "origin": origin, "chatwoot_user_id": cwUser}
		if owner == p.UserID {
			return nil
		}
		placeholder, err := iam.IsPlaceholder(ctx, tx, owner)
		if err != nil {
			return err
		}
		if !placeholder {
			return httpx.E(httpx.CodeConflict, "this Chatwoot login is already linked to another hub user")
		}
		accounts, err := s.IAM.TransferMemberships(r, tx, owner, p.UserID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chatwoot_identities SET user_id = $1 WHERE origin = $2 AND chatwoot_user_id = $3`,
			p.UserID, origin, cwUser); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chatwoot_inbox_members SET user_id = $1 WHERE user_id = $2
			AND NOT EXISTS (SELECT 1 FROM chatwoot_inbox_members m WHERE m.user_id = $1 AND m.account_id = chatwoot_inbox_members.account_id
				AND m.inbox_id = chatwoot_inbox_members.inbox_id)`, p.UserID, owner); err != nil {
			return err
		}
		e := s.IAM.Entry(r, "", "chatwoot.identity.linked", "user", p.UserID)
		e.After = map[string]any{"origin": origin, "chatwoot_user_id": cwUser, "from_user_id": owner}
		return s.IAM.Audit.RecordHub(ctx, tx, e, accounts)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
