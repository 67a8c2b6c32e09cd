package realtime

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// TicketTTL is how long a ticket may wait for its upgrade.
const TicketTTL = 30 * time.Second

// CreateTicket mints a single-use ticket for the caller in the body's
// account: a browser's WebSocket cannot send headers, and a long-lived
// token must never travel in a URL.
func (h *Hub) CreateTicket(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AccountID string `json:"account_id"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, acc := iam.PrincipalFrom(r.Context()), iam.AccessFrom(r.Context())
	if !slices.ContainsFunc(h.TicketPermissions(), acc.Can) {
		return httpx.E(httpx.CodeForbidden, "missing permission "+strings.Join(h.TicketPermissions(), " or "))
	}
	if !h.originAllowed(r, acc.AccountID) {
		return httpx.E(httpx.CodeForbidden, "this origin may not open realtime connections for the account")
	}
	tok := iam.RandomToken("wpt_")
	now := db.Now()
	exp := now.Add(TicketTTL)
	scopes, _ := json.Marshal(p.Scopes)
	_, err := h.DB.W.ExecContext(r.Context(), `INSERT INTO realtime_tickets (hash, account_id, kind, user_id, session_id, key_id, scopes,
		super_admin, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		iam.HashToken(tok), acc.AccountID, p.Kind, p.UserID, p.SessionID, p.KeyID, string(scopes), p.SuperAdmin, exp, now)
	if err != nil {
		return db.Translate(err)
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"ticket": tok, "expires_at": exp, "account_id": acc.AccountID})
	return nil
}

// redeem burns a ticket and returns the principal it was minted for.
func (h *Hub) redeem(ctx context.Context, tok string) (*iam.Principal, error) {
	invalid := httpx.E(httpx.CodeTokenInvalid, "the ticket is not valid, was used already or expired; mint a new one")
	if !strings.HasPrefix(tok, "wpt_") || len(tok) > 100 {
		return nil, invalid
	}
	now := db.Now()
	p := &iam.Principal{}
	var scopes string
	err := h.DB.W.QueryRowContext(ctx, `UPDATE realtime_tickets SET used_at = $2
		WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
		RETURNING account_id, kind, user_id, session_id, key_id, scopes, super_admin`, iam.HashToken(tok), now).
		Scan(&p.AccountID, &p.Kind, &p.UserID, &p.SessionID, &p.KeyID, &scopes, &p.SuperAdmin)
	if err != nil {
		if db.Translate(err) == db.ErrNotFound {
			return nil, invalid
		}
		return nil, err
	}
	_ = json.Unmarshal([]byte(scopes), &p.Scopes)
	return p, nil
}

// originAllowed accepts requests without Origin (servers, the CLI) and
// browsers on the hub itself or an allowed origin of the account.
func (h *Hub) originAllowed(r *http.Request, accountID string) bool {
	o := strings.ToLower(r.Header.Get("Origin"))
	if o == "" {
		return true
	}
	if o == strings.ToLower(h.HubOrigin) {
		return true
	}
	if h.Origins == nil {
		return false
	}
	return slices.Contains(h.Origins(r.Context(), accountID), o)
}

// purgeTickets removes tickets that ended more than an hour ago.
func purgeTickets(ctx context.Context, d *db.DB, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `DELETE FROM realtime_tickets WHERE expires_at < $1`, now.Add(-time.Hour))
	return err
}
