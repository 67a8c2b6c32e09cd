package chatwoot

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// ssoCacheTTL is how long a positive profile check is reused.
const ssoCacheTTL = 30 * time.Second

type ssoCacheEntry struct {
	profile    *Profile
	inboxes    []int
	teams      []Team
	teamsKnown bool
	at         time.Time
}

type ssoReq struct {
	AccessToken       string `json:"access_token"`
	Client            string `json:"client"`
	UID               string `json:"uid"`
	ChatwootAccountID int    `json:"chatwoot_account_id"`
}

// embedScopes are what an SSO token may carry, cut down to the role. An
// administrator may manage the numbers and their inboxes from the Hub admin
// panel inside Chatwoot (connect by QR, create an inbox); the Chatwoot link
// itself (its token, unlinking) is changed only in the console.
var embedScopes = []string{iam.PermAccountRead, iam.PermKanbanRead, iam.PermKanbanWrite, iam.PermChatRead, iam.PermChatWrite,
	iam.PermInboxesRead, iam.PermHubAdmin, iam.PermChatwootRead, iam.PermUsersRead,
	iam.PermProvidersRead, iam.PermProvidersWrite, iam.PermInboxesWrite}

// SSO exchanges a Chatwoot browser session for an instance token. The
// session is validated server-side on the link's own base URL and never
// stored, logged or returned.
func (s *Service) SSO(w http.ResponseWriter, r *http.Request) error {
	var in ssoReq
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.AccessToken == "" || in.Client == "" || in.UID == "" || in.ChatwootAccountID <= 0 ||
		len(in.AccessToken)+len(in.Client)+len(in.UID) > 600 {
		return httpx.Invalid(httpx.FieldError{Field: "access_token", Message: "access_token, client, uid and chatwoot_account_id are required"})
	}
	origin := httpx.CanonicalOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return httpx.E(httpx.CodeUnauthorized, "the request must come from a Chatwoot page (Origin header)")
	}
	ctx := r.Context()
	l, err := linkByInstallation(ctx, s.DB.R, origin, in.ChatwootAccountID)
	if errors.Is(err, db.ErrNotFound) {
		return httpx.E(httpx.CodeNotFound, "this Chatwoot account is not linked to the hub")
	} else if err != nil {
		return err
	}
	// Keyed on the canonical origin: spellings of one origin share a budget.
	limKey := s.IAM.Proxies.ClientIP(r) + "|" + origin
	if !s.failures.ok(limKey) {
		w.Header().Set("Retry-After", "60")
		return httpx.E(httpx.CodeRateLimited, "too many failed Chatwoot session checks; retry in a minute")
	}
	entry, err := s.checkSession(ctx, l, Session{AccessToken: in.AccessToken, Client: in.Client, UID: in.UID})
	if err != nil {
		s.failures.fail(limKey)
		return err
	}
	role := ""
	for _, a := range entry.profile.Accounts {
		if a.ID == l.ChatwootAccountID {
			role = a.Role
		}
	}
	if !entry.profile.Confirmed || role == "" {
		s.failures.fail(limKey)
		return httpx.E(httpx.CodeUnauthorized, "this Chatwoot user is not a confirmed member of the linked account")
	}
	hubRole := iam.RoleAgent
	if role == "administrator" {
		hubRole = iam.RoleAdmin
	}
	var out map[string]any
	err = s.IAM.WriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.signIn(ctx, tx, r, l, entry, hubRole)
		return err
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// checkSession asks Chatwoot for the profile, the agent's inboxes and teams,
// caching positive answers and coalescing identical concurrent checks.
func (s *Service) checkSession(ctx context.Context, l *Link, sess Session) (ssoCacheEntry, error) {
	sum := sha256.Sum256([]byte(l.ID + "\x00" + sess.AccessToken + "\x00" + sess.Client + "\x00" + sess.UID))
	key := hex.EncodeToString(sum[:])
	s.cacheMu.Lock()
	if s.cache == nil {
		s.cache = map[string]ssoCacheEntry{}
	}
	if e, ok := s.cache[key]; ok && time.Since(e.at) < ssoCacheTTL {
		s.cacheMu.Unlock()
		return e, nil
	}
	s.cacheMu.Unlock()
	v, err, _ := s.sso.Do(key, func() (any, error) {
		p, err := s.Client.Profile(ctx, l.BaseURL, sess)
		if errors.Is(err, ErrUnauthorized) {
			return nil, httpx.E(httpx.CodeUnauthorized, "Chatwoot did not accept this session")
		} else if err != nil {
			return nil, upstream(err)
		}
		inboxes, err := s.Client.Inboxes(ctx, l.BaseURL, l.ChatwootAccountID, sess.header())
		if err != nil && !errors.Is(err, ErrUnauthorized) {
			return nil, upstream(err)
		}
		teams, known, err := s.Client.fetchTeams(ctx, l.BaseURL, l.ChatwootAccountID, sess.header())
		if err != nil {
			return nil, upstream(err)
		}
		e := ssoCacheEntry{profile: p, teams: teams, teamsKnown: known, at: time.Now()}
		for _, in := range inboxes {
			e.inboxes = append(e.inboxes, in.ID)
		}
		s.cacheMu.Lock()
		for k, old := range s.cache {
			if time.Since(old.at) > ssoCacheTTL {
				delete(s.cache, k)
			}
		}
		s.cache[key] = e
		s.cacheMu.Unlock()
		return e, nil
	})
	if err != nil {
		return ssoCacheEntry{}, err
	}
	return v.(ssoCacheEntry), nil
}

// signIn resolves the hub user by the Chatwoot identity (never by email),
// upserts the membership, records inbox and team memberships and mints the token.
func (s *Service) signIn(ctx context.Context, tx *sql.Tx, r *http.Request, l *Link, e ssoCacheEntry, role string) (map[string]any, error) {
	now := s.now()
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM accounts WHERE id = $1`, l.AccountID).Scan(&status)
	if err != nil {
		return nil, err
	}
	if status == "suspended" {
		return nil, httpx.E(httpx.CodeAccountSuspended, "this account is suspended")
	}
	userID, err := s.identity(ctx, tx, l.Origin, e.profile, now)
	if err != nil {
		return nil, err
	}
	// The hub's decisions stand: Chatwoot's role is used only for a member
	// SSO creates; a role set in the hub, a removal or a disabling is never
	// undone here. A removed member comes back only when re-invited.
	var mstatus, mrole string
	err = tx.QueryRowContext(ctx, `SELECT status, role FROM memberships WHERE account_id = $1 AND user_id = $2`, l.AccountID, userID).Scan(&mstatus, &mrole)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	switch mstatus {
	case "disabled":
		return nil, httpx.E(httpx.CodeForbidden, "an admin disabled your access to this account in the hub")
	case "removed", "declined":
		return nil, httpx.E(httpx.CodeForbidden, "an admin removed you from this account in the hub; ask to be invited again")
	case "active":
		role = mrole
	case "invited":
		// Re-invited by an admin: the Chatwoot login proves it is them, and
		// the invitation's role is the hub's decision.
		if err := s.IAM.ReserveMember(ctx, tx, l.AccountID); err != nil {
			return nil, err
		}
		role = mrole
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET status = 'active', updated_at = $1 WHERE account_id = $2 AND user_id = $3`,
			now, l.AccountID, userID); err != nil {
			return nil, err
		}
	default:
		if err := s.IAM.ReserveMember(ctx, tx, l.AccountID); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (account_id, user_id, role, status, created_at, updated_at)
			VALUES ($1, $2, $3, 'active', $4, $4)`, l.AccountID, userID, role, now); err != nil {
			return nil, db.Translate(err)
		}
	}
	if err := inboxMembers.replace(ctx, tx, l.AccountID, userID, e.inboxes, now); err != nil {
		return nil, err
	}
	// Team memberships follow the same rule; when Chatwoot would not list
	// the teams the user is in none (fail closed).
	if e.teamsKnown {
		if err := saveTeams(ctx, tx, l.AccountID, e.teams, now); err != nil {
			return nil, err
		}
	}
	if err := saveTeamMembers(ctx, tx, l.AccountID, userID, e.teams, now); err != nil {
		return nil, err
	}
	var scopes []string
	for _, sc := range embedScopes {
		if contains(iam.RolePermissions(role), sc) {
			scopes = append(scopes, sc)
		}
	}
	tok, exp, err := s.mint(ctx, tx, l.AccountID, userID, l.Origin, "", scopes, defaultTTL*time.Minute)
	if err != nil {
		return nil, err
	}
	ae := s.IAM.Entry(r, l.AccountID, "auth.chatwoot_sso", "user", userID)
	ae.ActorType, ae.ActorID = "user", userID
	ae.After = map[string]any{"chatwoot_user_id": e.profile.ID, "role": role}
	if err := s.IAM.Audit.Record(ctx, tx, ae); err != nil {
		return nil, err
	}
	return map[string]any{"token": tok, "expires_at": exp, "scopes": scopes, "account_id": l.AccountID, "chatwoot_account_id": l.ChatwootAccountID,
		"user": map[string]any{"id": userID, "name": e.profile.Name, "role": role, "chatwoot_user_id": e.profile.ID}}, nil
}

// identity returns the hub user of (installation, Chatwoot user id),
// creating a password-less user the first time.
func (s *Service) identity(ctx context.Context, tx *sql.Tx, origin string, p *Profile, now time.Time) (string, error) {
	var userID string
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM chatwoot_identities WHERE origin = $1 AND chatwoot_user_id = $2`, origin, p.ID).Scan(&userID)
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE users SET name = $1, updated_at = $2 WHERE id = $3`, truncate(p.Name, 120), now, userID)
		return userID, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	userID = db.NewID()
	name := truncate(strings.TrimSpace(p.Name), 120)
	if name == "" {
		name = "Chatwoot user " + userID[:8]
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, name, locale, active, super_admin, created_at, updated_at)
		VALUES ($1, $2, 'pt-BR', TRUE, FALSE, $3, $3)`, userID, name, now); err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO chatwoot_identities (origin, chatwoot_user_id, user_id, email, created_at) VALUES ($1, $2, $3, $4, $5)`,
		origin, p.ID, userID, truncate(p.Email, 254), now)
	return userID, db.Translate(err)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// failureLimiter rate-limits failed session checks per IP and origin so
// the hub cannot be used to hammer Chatwoot.
type failureLimiter struct {
	mu  sync.Mutex
	lim map[string]*rate.Limiter
}

func (f *failureLimiter) get(key string) *rate.Limiter {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lim == nil {
		f.lim = map[string]*rate.Limiter{}
	}
	l, ok := f.lim[key]
	if !ok {
		if len(f.lim) > 10000 {
			f.lim = map[string]*rate.Limiter{}
		}
		l = rate.NewLimiter(rate.Every(6*time.Second), 10)
		f.lim[key] = l
	}
	return l
}

func (f *failureLimiter) ok(key string) bool { return f.get(key).Tokens() >= 1 }
func (f *failureLimiter) fail(key string)    { f.get(key).Allow() }
