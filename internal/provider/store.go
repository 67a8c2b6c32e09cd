package provider

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Provider is a WhatsApp API backend of an account. Credentials and the
// webhook URL token are ciphertexts that never leave the package.
type Provider struct {
	ID            string     `json:"id"`
	AccountID     string     `json:"account_id"`
	Name          string     `json:"name"`
	Type          string     `json:"type"`
	BaseURL       string     `json:"base_url"`
	VerifyToken   string     `json:"verify_token,omitempty"` // Cloud API webhook verification
	WebhookURL    string     `json:"webhook_url"`
	HealthStatus  string     `json:"health_status"`
	HealthDetails string     `json:"health_details"`
	LastCheckedAt *time.Time `json:"last_checked_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	credentials   string
	webhookToken  string
}

// Instance is one WhatsApp number (or session) of a provider.
type Instance struct {
	ID              string    `json:"id"`
	AccountID       string    `json:"account_id"`
	ProviderID      string    `json:"provider_id"`
	Name            string    `json:"name"`
	PhoneNumberID   string    `json:"phone_number_id"`
	PhoneNumber     string    `json:"phone_number"`
	DisplayName     string    `json:"display_name"`
	Status          string    `json:"status"`
	InboxID         *string   `json:"inbox_id"`
	LastError       string    `json:"last_error"`
	StatusChangedAt time.Time `json:"status_changed_at"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

const providerCols = `id, account_id, name, type, base_url, credentials, verify_token, webhook_token, health_status,
	health_details, last_checked_at, created_at, updated_at`

func scanProvider(row interface{ Scan(...any) error }) (*Provider, error) {
	p := &Provider{}
	err := row.Scan(&p.ID, &p.AccountID, &p.Name, &p.Type, &p.BaseURL, &p.credentials, &p.VerifyToken, &p.webhookToken,
		&p.HealthStatus, &p.HealthDetails, &p.LastCheckedAt, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	return p, nil
}

func getProvider(ctx context.Context, q db.Querier, accountID, id string) (*Provider, error) {
	return scanProvider(q.QueryRowContext(ctx, `SELECT `+providerCols+` FROM providers WHERE account_id = $1 AND id = $2`, accountID, id))
}

// providerByID is for the inbound webhook, which knows only the provider
// id from its URL; the account comes from the row.
func providerByID(ctx context.Context, q db.Querier, id string) (*Provider, error) {
	return scanProvider(q.QueryRowContext(ctx, `SELECT `+providerCols+` FROM providers WHERE id = $1`, id))
}

func listProviders(ctx context.Context, q db.Querier, accountID string, p httpx.PageParams) ([]*Provider, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+providerCols+` FROM providers WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		accountID, p.After, p.Limit+1)
	return db.Collect(rows, err, scanProvider)
}

func allProviders(ctx context.Context, q db.Querier) ([]*Provider, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+providerCols+` FROM providers ORDER BY id`)
	return db.Collect(rows, err, scanProvider)
}

func insertProvider(ctx context.Context, tx *sql.Tx, p *Provider) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO providers (id, account_id, name, type, base_url, credentials, verify_token, webhook_token,
		health_status, health_details, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'unknown', '', $9, $9)`,
		p.ID, p.AccountID, p.Name, p.Type, p.BaseURL, p.credentials, p.VerifyToken, p.webhookToken, p.CreatedAt)
	return db.Translate(err)
}

func setHealth(ctx context.Context, q db.Querier, accountID, id string, h Health, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE providers SET health_status = $1, health_details = $2, last_checked_at = $3
		WHERE account_id = $4 AND id = $5`, h.Status, h.Details, now, accountID, id)
	return err
}

const instanceCols = `id, account_id, provider_id, name, phone_number_id, phone_number, display_name, status, inbox_id, last_error,
	status_changed_at, created_at, updated_at`

func scanInstance(row interface{ Scan(...any) error }) (*Instance, error) {
	i := &Instance{}
	err := row.Scan(&i.ID, &i.AccountID, &i.ProviderID, &i.Name, &i.PhoneNumberID, &i.PhoneNumber, &i.DisplayName, &i.Status,
		&i.InboxID, &i.LastError, &i.StatusChangedAt, &i.CreatedAt, &i.UpdatedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	return i, nil
}

func getInstance(ctx context.Context, q db.Querier, accountID, id string) (*Instance, error) {
	return scanInstance(q.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM provider_instances WHERE account_id = $1 AND id = $2`, accountID, id))
}

// instanceByKey finds the instance an inbound event names: Evolution's
// instance name or the Cloud API's phone_number_id.
func instanceByKey(ctx context.Context, q db.Querier, providerID, key string) (*Instance, error) {
	return scanInstance(q.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM provider_instances
		WHERE provider_id = $1 AND (name = $2 OR (phone_number_id <> '' AND phone_number_id = $2))`, providerID, key))
}

func listInstances(ctx context.Context, q db.Querier, accountID string, p httpx.PageParams) ([]*Instance, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+instanceCols+` FROM provider_instances WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		accountID, p.After, p.Limit+1)
	return db.Collect(rows, err, scanInstance)
}

// setStatus records a connection result; status_changed_at moves only when
// the status changes.
func setStatus(ctx context.Context, q db.Querier, accountID, id string, c Connection, lastErr string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE provider_instances SET
		status_changed_at = CASE WHEN status <> $1 THEN $2 ELSE status_changed_at END,
		status = $1, last_error = $3, updated_at = $2,
		phone_number = CASE WHEN $4 <> '' THEN $4 ELSE phone_number END,
		display_name = CASE WHEN $5 <> '' THEN $5 ELSE display_name END
		WHERE account_id = $6 AND id = $7`, c.Status, now, lastErr, c.PhoneNumber, c.DisplayName, accountID, id)
	return err
}
