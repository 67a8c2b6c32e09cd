package chatwoot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/whatpro/hub/internal/db"
)

// Team and inbox memberships are recorded at each Chatwoot sign-in, but a
// console session outlives the change an admin makes in Chatwoot: taken
// out of a team, an agent would keep seeing that team's boards until they
// signed in again. The members sync reads every team's and inbox's agents
// with the link's administrator token and brings the recorded memberships
// of the account's known Chatwoot users to what Chatwoot says. It writes
// only when every read succeeded: a partial answer never removes access
// nobody took away, and never grants any.

// agentRef is the part of Chatwoot's agent JSON the sync reads.
type agentRef struct {
	ID   int    `json:"id"`
	Role string `json:"role"`
}

// Agents lists the account's users with their role (AgentsController#index).
func (c *Client) Agents(ctx context.Context, base string, accountID int, hdr http.Header) ([]agentRef, error) {
	var out []agentRef
	if err := c.call(ctx, "GET", base, acctPath(accountID, "/agents"), hdr, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// TeamMembers lists a team's agents (TeamMembersController#index).
func (c *Client) TeamMembers(ctx context.Context, base string, accountID, teamID int, hdr http.Header) ([]int, error) {
	var out []agentRef
	if err := c.call(ctx, "GET", base, acctPath(accountID, fmt.Sprintf("/teams/%d/team_members", teamID)), hdr, nil, &out); err != nil {
		return nil, err
	}
	return agentIDs(out), nil
}

// InboxMembers lists an inbox's agents (InboxMembersController#show:
// {"payload": [agents]}).
func (c *Client) InboxMembers(ctx context.Context, base string, accountID, inboxID int, hdr http.Header) ([]int, error) {
	var out struct {
		Payload []agentRef `json:"payload"`
	}
	if err := c.call(ctx, "GET", base, acctPath(accountID, fmt.Sprintf("/inbox_members/%d", inboxID)), hdr, nil, &out); err != nil {
		return nil, err
	}
	return agentIDs(out.Payload), nil
}

func agentIDs(list []agentRef) []int {
	ids := make([]int, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.ID)
	}
	return ids
}

// chatwootMembers is what Chatwoot says of an account: its teams, and per
// Chatwoot user the teams and inboxes they belong to.
type chatwootMembers struct {
	teams   []Team
	teamsOf map[int][]int // Chatwoot user id → team ids
	inboxOf map[int][]int // Chatwoot user id → inbox ids
}

// readMembers asks Chatwoot, with the link's token, for every team's and
// inbox's agents. The token must be an administrator's of the linked
// account: an agent's token lists only that agent's inboxes, which would
// read as everyone else having left them.
func (s *Service) readMembers(ctx context.Context, l *Link, token string) (*chatwootMembers, error) {
	hdr := tokenHeader(token)
	p, err := s.Client.TokenProfile(ctx, l.BaseURL, token)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	admin := false
	for _, a := range p.Accounts {
		admin = admin || (a.ID == l.ChatwootAccountID && a.Role == "administrator")
	}
	if !admin {
		return nil, fmt.Errorf("the link's access token is not an administrator's of Chatwoot account %d", l.ChatwootAccountID)
	}
	m := &chatwootMembers{teamsOf: map[int][]int{}, inboxOf: map[int][]int{}}
	if m.teams, err = s.Client.Teams(ctx, l.BaseURL, l.ChatwootAccountID, hdr); err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	for _, t := range m.teams {
		ids, err := s.Client.TeamMembers(ctx, l.BaseURL, l.ChatwootAccountID, t.ID, hdr)
		if err != nil {
			return nil, fmt.Errorf("team %d members: %w", t.ID, err)
		}
		for _, u := range ids {
			m.teamsOf[u] = append(m.teamsOf[u], t.ID)
		}
	}
	inboxes, err := s.Client.Inboxes(ctx, l.BaseURL, l.ChatwootAccountID, hdr)
	if err != nil {
		return nil, fmt.Errorf("inboxes: %w", err)
	}
	for _, in := range inboxes {
		ids, err := s.Client.InboxMembers(ctx, l.BaseURL, l.ChatwootAccountID, in.ID, hdr)
		if err != nil {
			return nil, fmt.Errorf("inbox %d members: %w", in.ID, err)
		}
		for _, u := range ids {
			m.inboxOf[u] = append(m.inboxOf[u], in.ID)
		}
	}
	// Chatwoot shows an administrator every inbox (the inbox policy's
	// scope), and so does the sign-in's GET …/inboxes: they are recorded
	// in all of them, members or not.
	agents, err := s.Client.Agents(ctx, l.BaseURL, l.ChatwootAccountID, hdr)
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	every := make([]int, 0, len(inboxes))
	for _, in := range inboxes {
		every = append(every, in.ID)
	}
	for _, a := range agents {
		if a.Role == "administrator" {
			m.inboxOf[a.ID] = every
		}
	}
	return m, nil
}

// SyncMembers brings one account's recorded team and inbox memberships to
// what Chatwoot says. An account without a link has nothing to sync.
func (s *Service) SyncMembers(ctx context.Context, accountID string) error {
	l, token, err := s.linkToken(ctx, accountID)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		return err
	}
	m, err := s.readMembers(ctx, l, token)
	if err != nil {
		if ctx.Err() == nil {
			// Kept on the link for the console; the link may have moved.
			if _, werr := s.DB.W.ExecContext(ctx, `UPDATE chatwoot_links SET members_sync_error = $1
				WHERE account_id = $2 AND origin = $3 AND chatwoot_account_id = $4`,
				clientSafe(err), accountID, l.Origin, l.ChatwootAccountID); werr != nil {
				return errors.Join(err, werr)
			}
		}
		return err
	}
	var changed int
	err = s.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		// The link may have been removed, or moved to another
		// installation, meanwhile: then what was read is not its.
		var origin string
		var cwAccount int
		err := tx.QueryRowContext(ctx, `SELECT origin, chatwoot_account_id FROM chatwoot_links WHERE account_id = $1`, accountID).
			Scan(&origin, &cwAccount)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (origin != l.Origin || cwAccount != l.ChatwootAccountID)) {
			return nil
		} else if err != nil {
			return err
		}
		now := s.now()
		if err := saveTeams(ctx, tx, accountID, m.teams, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chatwoot_links SET members_synced_at = $1, members_sync_error = '' WHERE account_id = $2`,
			now, accountID); err != nil {
			return err
		}
		users, err := knownUsers(ctx, tx, accountID, l.Origin)
		if err != nil {
			return err
		}
		haveTeams, err := teamMembers.all(ctx, tx, accountID)
		if err != nil {
			return err
		}
		haveInboxes, err := inboxMembers.all(ctx, tx, accountID)
		if err != nil {
			return err
		}
		for cwID, userID := range users {
			n, err := teamMembers.set(ctx, tx, accountID, userID, haveTeams[userID], m.teamsOf[cwID], now)
			if err != nil {
				return err
			}
			k, err := inboxMembers.set(ctx, tx, accountID, userID, haveInboxes[userID], m.inboxOf[cwID], now)
			if err != nil {
				return err
			}
			changed += n + k
		}
		return nil
	})
	if err == nil && changed > 0 {
		slog.InfoContext(ctx, "chatwoot memberships synced", "account_id", accountID, "changed", changed)
	}
	return err
}

// knownUsers maps the Chatwoot user ids of the installation's signed-in
// users to the hub users who are members of the account.
func knownUsers(ctx context.Context, tx *sql.Tx, accountID, origin string) (map[int]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.chatwoot_user_id, i.user_id FROM chatwoot_identities i
		JOIN memberships m ON m.user_id = i.user_id AND m.account_id = $1 WHERE i.origin = $2`, accountID, origin)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var cw int
		var user string
		if err := rows.Scan(&cw, &user); err != nil {
			return nil, err
		}
		out[cw] = user
	}
	return out, rows.Err()
}

// MembersSyncArgs is the periodic members sync of every linked account.
type MembersSyncArgs struct{}

// Kind names the job in River.
func (MembersSyncArgs) Kind() string { return "chatwoot.sync_members" }

// MembersSyncWorker syncs each linked account in turn; one account that
// fails (Chatwoot down, a token that lost its rights) is logged and keeps
// what it had, and the others go on.
type MembersSyncWorker struct {
	river.WorkerDefaults[MembersSyncArgs]
	S *Service
}

// Timeout leaves room for many accounts.
func (w *MembersSyncWorker) Timeout(*river.Job[MembersSyncArgs]) time.Duration {
	return 30 * time.Minute
}

// Work syncs every linked account.
func (w *MembersSyncWorker) Work(ctx context.Context, _ *river.Job[MembersSyncArgs]) error {
	ids, err := LinkedAccounts(ctx, w.S.DB.R)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.S.SyncMembers(ctx, id); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			slog.WarnContext(ctx, "chatwoot memberships not synced", "account_id", id, "reason", clientSafe(err))
		}
	}
	return nil
}

// MembersPeriodic schedules the members sync.
func MembersPeriodic(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return MembersSyncArgs{}, nil },
		&river.PeriodicJobOpts{ID: "chatwoot.sync_members"})
}
