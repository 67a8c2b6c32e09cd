package chatwoot

import (
	"context"
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

// linkCode is a pending code: who in Chatwoot minted it.
type linkCode struct {
	Origin    string
	CWUser    int
	ExpiresAt time.Time
}

var errBadLinkCode = httpx.Invalid(httpx.FieldError{Field: "code", Message: "is unknown, used or expired; start again from Chatwoot"})

func pendingLinkCode(ctx context.Context, q db.Querier, code string, now time.Time) (*linkCode, error) {
	if !strings.HasPrefix(code, "wpl_") || len(code) > 100 {
		return nil, errBadLinkCode
	}
	c := &linkCode{}
	err := q.QueryRowContext(ctx, `SELECT origin, chatwoot_user_id, expires_at FROM chatwoot_link_codes
		WHERE hash = $1 AND used_at IS NULL AND expires_at > $2`, iam.HashToken(code), now).Scan(&c.Origin, &c.CWUser, &c.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadLinkCode
	}
	return c, err
}

type linkAccount struct {
	AccountID         string `json:"account_id"`
	AccountName       string `json:"account_name"`
	Role              string `json:"role"`
	ChatwootAccountID *int   `json:"chatwoot_account_id"`
}

// InspectIdentityLink shows, before anything changes, what redeeming the
// code would link: which Chatwoot installation and user, and which hub
// accounts (with the roles) the caller would take over.
func (s *Service) InspectIdentityLink(w http.ResponseWriter, r *http.Request) error {
	p := iam.PrincipalFrom(r.Context())
	if p.Kind != iam.KindUser {
		return httpx.E(httpx.CodeForbidden, "open the link in the console, signed in as yourself")
	}
	var in struct {
		Code string `json:"code"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := pendingLinkCode(ctx, s.DB.R, in.Code, s.now())
	if err != nil {
		return err
	}
	var owner, email, name string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT ci.user_id, ci.email, u.name FROM chatwoot_identities ci JOIN users u ON u.id = ci.user_id
		WHERE ci.origin = $1 AND ci.chatwoot_user_id = $2`, c.Origin, c.CWUser).Scan(&owner, &email, &name); err != nil {
		return db.Translate(err)
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT a.id, a.name, m.role, l.chatwoot_account_id FROM memberships m
		JOIN accounts a ON a.id = m.account_id LEFT JOIN chatwoot_links l ON l.account_id = a.id
		WHERE m.user_id = $1 AND m.status = 'active' ORDER BY a.name, a.id`, owner)
	accounts, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (linkAccount, error) {
		var a linkAccount
		return a, r.Scan(&a.AccountID, &a.AccountName, &a.Role, &a.ChatwootAccountID)
	})
	if err != nil {
		return err
	}
	if accounts == nil {
		accounts = []linkAccount{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"origin": c.Origin, "chatwoot_user": map[string]any{"id": c.CWUser, "name": name, "email": email},
		"accounts": accounts, "already_yours": owner == p.UserID, "expires_at": c.ExpiresAt})
	return nil
}

// LinkIdentity redeems a code with a console session and the caller's
// consent, proven again (their password, or a code from their
// authenticator): the Chatwoot identity now signs in as the caller, who
// takes over the memberships the identity's placeholder user held. An
// identity already linked to a real hub user is never moved. A link
// opened by mistake (or sent by someone else) changes nothing.
func (s *Service) LinkIdentity(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), iam.PrincipalFrom(r.Context())
	if p.Kind != iam.KindUser {
		return httpx.E(httpx.CodeForbidden, "redeem the code from the console, signed in as yourself")
	}
	var in struct {
		Code     string `json:"code"`
		Password string `json:"password"`
		TOTPCode string `json:"totp_code"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	now := s.now()
	if _, err := pendingLinkCode(ctx, s.DB.R, in.Code, now); err != nil {
		return err
	}
	if err := s.IAM.Reauthenticate(r, p.UserID, in.Password, in.TOTPCode); err != nil {
		return err
	}
	badCode := errBadLinkCode
	var out map[string]any
	err := s.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
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
		// The identity's row is held to the end: two codes of one identity
		// redeemed at once move its memberships once (the second then finds
		// the identity already the caller's).
		q := `SELECT user_id FROM chatwoot_identities WHERE origin = $1 AND chatwoot_user_id = $2`
		if s.DB.Dialect == db.Postgres {
			q += ` FOR UPDATE`
		}
		var owner string
		if err := tx.QueryRowContext(ctx, q, origin, cwUser).Scan(&owner); err != nil {
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
		if _, err := tx.ExecContext(ctx, `UPDATE chatwoot_team_members SET user_id = $1 WHERE user_id = $2
			AND NOT EXISTS (SELECT 1 FROM chatwoot_team_members m WHERE m.user_id = $1 AND m.account_id = chatwoot_team_members.account_id
				AND m.team_id = chatwoot_team_members.team_id)`, p.UserID, owner); err != nil {
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
