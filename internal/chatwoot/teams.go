package chatwoot

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/outbound"
)

// Team is a Chatwoot team (app/views/api/v1/models/_team.json.jbuilder):
// IsMember says whether the credential's user belongs to it.
type Team struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	IsMember bool   `json:"is_member"`
}

// Teams lists every team of the account. TeamPolicy#index? lets any
// account user do it, so an agent's own session tells their memberships.
func (c *Client) Teams(ctx context.Context, base string, accountID int, hdr http.Header) ([]Team, error) {
	var out []Team
	if err := c.call(ctx, "GET", base, acctPath(accountID, "/teams"), hdr, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// fetchTeams asks Chatwoot for the teams; known is false when it would not
// say (credentials refused, or no such route), and the hub then treats the
// user as a member of no team.
func (c *Client) fetchTeams(ctx context.Context, base string, accountID int, hdr http.Header) (teams []Team, known bool, err error) {
	teams, err = c.Teams(ctx, base, accountID, hdr)
	var se *outbound.StatusError
	if errors.Is(err, ErrUnauthorized) || (errors.As(err, &se) && se.Status == http.StatusNotFound) {
		return nil, false, nil
	}
	return teams, err == nil, err
}

// saveTeams replaces the account's team list and marks it known. Upserts
// keep concurrent sign-ins of one account from colliding.
func saveTeams(ctx context.Context, tx *sql.Tx, accountID string, teams []Team, now time.Time) error {
	for _, t := range teams {
		if _, err := tx.ExecContext(ctx, `INSERT INTO chatwoot_teams (account_id, team_id, name, synced_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id, team_id) DO UPDATE SET name = excluded.name, synced_at = excluded.synced_at`,
			accountID, t.ID, truncate(t.Name, 120), now); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM chatwoot_teams WHERE account_id = $1 AND synced_at <> $2`, accountID, now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE chatwoot_links SET teams_synced_at = $1 WHERE account_id = $2`, now, accountID)
	return err
}

// saveTeamMembers records the teams the user belongs to, as inbox
// memberships are recorded at every sign-in.
func saveTeamMembers(ctx context.Context, tx *sql.Tx, accountID, userID string, teams []Team, now time.Time) error {
	var ids []int
	for _, t := range teams {
		if t.IsMember {
			ids = append(ids, t.ID)
		}
	}
	return teamMembers.replace(ctx, tx, accountID, userID, ids, now)
}

// forgetTeams drops what the hub knew of the previous Chatwoot account's
// teams (a link moved to another installation or account).
func forgetTeams(ctx context.Context, tx *sql.Tx, accountID string) error {
	for _, q := range []string{
		`DELETE FROM chatwoot_team_members WHERE account_id = $1`,
		`DELETE FROM chatwoot_teams WHERE account_id = $1`,
		`UPDATE chatwoot_links SET teams_synced_at = NULL, members_synced_at = NULL, members_sync_error = '' WHERE account_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, accountID); err != nil {
			return err
		}
	}
	return nil
}

// UserTeamIDs are the Chatwoot teams the user belongs to (at their last
// sign-in or members sync), in id order.
func UserTeamIDs(ctx context.Context, q db.Querier, accountID, userID string) ([]int, error) {
	return teamMembers.of(ctx, q, accountID, userID)
}

// UserInboxIDs are the Chatwoot inboxes the user belongs to (at their last
// sign-in or members sync), in id order.
func UserInboxIDs(ctx context.Context, q db.Querier, accountID, userID string) ([]int, error) {
	return inboxMembers.of(ctx, q, accountID, userID)
}

// TeamRef is a team as the hub shows it (id and name).
type TeamRef struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// AccountTeams is the account's team list as last seen; known is false
// until the hub has read it once from Chatwoot.
func AccountTeams(ctx context.Context, q db.Querier, accountID string) (teams []TeamRef, known bool, err error) {
	var synced sql.NullTime
	err = q.QueryRowContext(ctx, `SELECT teams_synced_at FROM chatwoot_links WHERE account_id = $1`, accountID).Scan(&synced)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !synced.Valid) {
		return []TeamRef{}, false, nil
	} else if err != nil {
		return nil, false, err
	}
	rows, err := q.QueryContext(ctx, `SELECT team_id, name FROM chatwoot_teams WHERE account_id = $1 ORDER BY name, team_id`, accountID)
	teams, err = db.Collect(rows, err, func(r interface{ Scan(...any) error }) (TeamRef, error) {
		var t TeamRef
		return t, r.Scan(&t.ID, &t.Name)
	})
	return teams, err == nil, err
}

// ListTeams answers the account's Chatwoot teams (id, name) for the board
// settings. It reads them afresh with the link's token and keeps them; when
// Chatwoot cannot answer it serves the last list it saw, and "known" false
// when it never saw one.
func (s *Service) ListTeams(w http.ResponseWriter, r *http.Request) error {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	if l, token, err := s.linkToken(ctx, acc.AccountID); err == nil {
		teams, known, ferr := s.Client.fetchTeams(ctx, l.BaseURL, l.ChatwootAccountID, tokenHeader(token))
		if ferr == nil && known {
			if err := s.IAM.WriteTx(ctx, func(tx *sql.Tx) error { return saveTeams(ctx, tx, acc.AccountID, teams, s.now()) }); err != nil {
				return err
			}
		} else {
			reason := "Chatwoot refused the link's token"
			if ferr != nil {
				reason = clientSafe(ferr)
			}
			slog.WarnContext(ctx, "chatwoot teams not refreshed", "account_id", acc.AccountID, "reason", reason)
		}
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	teams, known, err := AccountTeams(ctx, s.DB.R, acc.AccountID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": teams, "pagination": httpx.Pagination{}, "known": known})
	return nil
}
