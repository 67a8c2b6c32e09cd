package chatwoot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/secret"
)

// Link is a hub account's connection to one Chatwoot account. Secret
// columns hold key-ring ciphertexts and never leave this package.
type Link struct {
	ID                string
	AccountID         string
	Origin            string
	BaseURL           string
	ChatwootAccountID int
	ExtraOrigins      []string
	Status            string // ok | needs_attention
	LastError         string
	ChatwootVersion   string
	WebhookID         *int
	DashboardAppID    *int
	URLTokenEnabled   bool
	LastCheckedAt     *time.Time
	// MembersSyncedAt is the last members sync that read everything;
	// MembersSyncError why the last one could not ("" after a success).
	MembersSyncedAt  *time.Time
	MembersSyncError string
	CreatedAt        time.Time
	UpdatedAt        time.Time

	apiToken      string // ciphertext
	webhookSecret string // ciphertext or ""
	urlToken      string // ciphertext or ""
}

// Encrypted columns of chatwoot_links, for `whatpro secrets rotate`.
var EncryptedColumns = [][3]string{
	{"chatwoot_links", "id", "api_token"},
	{"chatwoot_links", "id", "webhook_secret"},
	{"chatwoot_links", "id", "url_token"},
}

const linkCols = `id, account_id, origin, base_url, chatwoot_account_id, extra_origins, status, last_error, chatwoot_version,
	webhook_id, dashboard_app_id, url_token_enabled, last_checked_at, members_synced_at, members_sync_error, created_at, updated_at,
	api_token, COALESCE(webhook_secret, ''), COALESCE(url_token, '')`

func scanLink(row interface{ Scan(...any) error }) (*Link, error) {
	l := &Link{}
	var extra string
	err := row.Scan(&l.ID, &l.AccountID, &l.Origin, &l.BaseURL, &l.ChatwootAccountID, &extra, &l.Status, &l.LastError,
		&l.ChatwootVersion, &l.WebhookID, &l.DashboardAppID, &l.URLTokenEnabled, &l.LastCheckedAt, &l.MembersSyncedAt, &l.MembersSyncError,
		&l.CreatedAt, &l.UpdatedAt,
		&l.apiToken, &l.webhookSecret, &l.urlToken)
	if err != nil {
		return nil, db.Translate(err)
	}
	_ = json.Unmarshal([]byte(extra), &l.ExtraOrigins)
	return l, nil
}

func linkByAccount(ctx context.Context, q db.Querier, accountID string) (*Link, error) {
	return scanLink(q.QueryRowContext(ctx, `SELECT `+linkCols+` FROM chatwoot_links WHERE account_id = $1`, accountID))
}

func linkByID(ctx context.Context, q db.Querier, id string) (*Link, error) {
	return scanLink(q.QueryRowContext(ctx, `SELECT `+linkCols+` FROM chatwoot_links WHERE id = $1`, id))
}

func linkByInstallation(ctx context.Context, q db.Querier, origin string, chatwootAccountID int) (*Link, error) {
	return scanLink(q.QueryRowContext(ctx, `SELECT `+linkCols+` FROM chatwoot_links WHERE origin = $1 AND chatwoot_account_id = $2`,
		origin, chatwootAccountID))
}

func aad(id, col string) []byte { return secret.AAD("chatwoot_links", col, id) }

// saveLink inserts or replaces the account's link (one per account).
func saveLink(ctx context.Context, tx *sql.Tx, l *Link) error {
	extra, _ := json.Marshal(l.ExtraOrigins)
	_, err := tx.ExecContext(ctx, `INSERT INTO chatwoot_links (id, account_id, origin, base_url, chatwoot_account_id, api_token,
			extra_origins, status, last_error, chatwoot_version, last_checked_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (account_id) DO UPDATE SET origin = excluded.origin, base_url = excluded.base_url,
			chatwoot_account_id = excluded.chatwoot_account_id, api_token = excluded.api_token,
			extra_origins = excluded.extra_origins, status = excluded.status, last_error = excluded.last_error,
			chatwoot_version = excluded.chatwoot_version, last_checked_at = excluded.last_checked_at, updated_at = excluded.updated_at`,
		l.ID, l.AccountID, l.Origin, l.BaseURL, l.ChatwootAccountID, l.apiToken, string(extra), l.Status, l.LastError,
		l.ChatwootVersion, l.LastCheckedAt, l.UpdatedAt)
	return db.Translate(err)
}

func setLinkField(ctx context.Context, q db.Querier, accountID, col string, v any, now time.Time) error {
	// col is always a constant of this package, never input.
	_, err := q.ExecContext(ctx, `UPDATE chatwoot_links SET `+col+` = $1, updated_at = $2 WHERE account_id = $3`, v, now, accountID)
	return err
}

// forgetInstallation drops what identified the link to its previous
// Chatwoot installation or account.
func forgetInstallation(ctx context.Context, tx *sql.Tx, accountID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE chatwoot_links SET webhook_secret = NULL, webhook_id = NULL, dashboard_app_id = NULL,
		url_token = NULL, url_token_enabled = FALSE, updated_at = $1 WHERE account_id = $2`, now, accountID)
	if err != nil {
		return err
	}
	return forgetTeams(ctx, tx, accountID)
}

func deleteLink(ctx context.Context, tx *sql.Tx, accountID string) error {
	if err := forgetTeams(ctx, tx, accountID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM chatwoot_links WHERE account_id = $1`, accountID)
	return err
}

// Linked reports whether the account has a Chatwoot link (for packages that
// show what a link's removal left behind, such as a number's inbox).
func Linked(ctx context.Context, q db.Querier, accountID string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM chatwoot_links WHERE account_id = $1`, accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// LinkedAccounts are the hub accounts with a Chatwoot link, in id order
// (the periodic syncs of other packages walk them).
func LinkedAccounts(ctx context.Context, q db.Querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT account_id FROM chatwoot_links ORDER BY account_id`)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}
