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
	ID            string `json:"id"`
	AccountID     string `json:"account_id"`
	ProviderID    string `json:"provider_id"`
	Name          string `json:"name"`
	PhoneNumberID string `json:"phone_number_id"`
	PhoneNumber   string `json:"phone_number"`
	DisplayName   string `json:"display_name"`
	ProfileName   string `json:"profile_name"` // as the provider reports it
	Status        string `json:"status"`
	// DisconnectReason is a Reason constant while the number is not
	// connected because of something the provider reported.
	DisconnectReason string  `json:"disconnect_reason"`
	InboxID          *string `json:"inbox_id"`
	// InboxState is the inbox's state as Chatwoot has it (inbox.StateActive,
	// StateRemoved when deleted in Chatwoot, StateUnlinked when the link was
	// removed); "" without an inbox.
	InboxState string `json:"inbox_state"`
	LastError  string `json:"last_error"`
	// QRPending reports a QR code waiting to be scanned (GET …/qr).
	QRPending       bool      `json:"qr_pending"`
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
		health_status, health_details, last_checked_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
		p.ID, p.AccountID, p.Name, p.Type, p.BaseURL, p.credentials, p.VerifyToken, p.webhookToken, p.HealthStatus, p.HealthDetails,
		p.LastCheckedAt, p.CreatedAt)
	return db.Translate(err)
}

func setHealth(ctx context.Context, q db.Querier, accountID, id string, h Health, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE providers SET health_status = $1, health_details = $2, last_checked_at = $3
		WHERE account_id = $4 AND id = $5`, h.Status, h.Details, now, accountID, id)
	return err
}

const instanceCols = `id, account_id, provider_id, name, phone_number_id, phone_number, display_name, status, inbox_id, last_error,
	status_changed_at, created_at, updated_at, profile_name, disconnect_reason, qr_code <> ''`

func scanInstance(row interface{ Scan(...any) error }) (*Instance, error) {
	i := &Instance{}
	err := row.Scan(&i.ID, &i.AccountID, &i.ProviderID, &i.Name, &i.PhoneNumberID, &i.PhoneNumber, &i.DisplayName, &i.Status,
		&i.InboxID, &i.LastError, &i.StatusChangedAt, &i.CreatedAt, &i.UpdatedAt, &i.ProfileName, &i.DisconnectReason, &i.QRPending)
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

// setStatus records a connection result from a connect, a poll or a
// logout; status_changed_at moves only when the status changes. A QR code
// in the result replaces the stored one; a result without keeps it only
// while the number still waits for a scan. The reason is cleared once
// connected, kept when the result gives none (a poll after the QR limit
// no longer knows it), and a logout the hub asked for stays one when the
// provider then reports the session as logged out.
//
// What the hub learnt from the provider now is newer than every event that
// arrived before: the result takes a fresh event id (UUIDv7, like the
// executions'), so such an event still waiting for its job cannot undo it.
func setStatus(ctx context.Context, q db.Querier, accountID, id string, c Connection, lastErr string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE provider_instances SET `+statusSet+`, last_event_id = $11
		WHERE account_id = $9 AND id = $10`, c.Status, now, lastErr, c.PhoneNumber, c.ProfileName, c.QRCode, c.PairingCode, c.Reason,
		accountID, id, db.NewID())
	return err
}

// applyConnectionEvent is setStatus for a provider event (execution
// eventID): applied only when no later event was, the newest event id is
// kept. Ids are UUIDv7 taken at arrival, so they sort by arrival.
func applyConnectionEvent(ctx context.Context, q db.Querier, accountID, id, eventID string, c Connection, now time.Time) error {
	lastErr := ""
	if c.Reason != "" || c.Status == StatusError {
		lastErr = c.Details
	}
	_, err := q.ExecContext(ctx, `UPDATE provider_instances SET `+statusSet+`, last_event_id = $11, last_event_at = $2
		WHERE account_id = $9 AND id = $10 AND last_event_id < $11`, c.Status, now, lastErr, c.PhoneNumber, c.ProfileName,
		c.QRCode, c.PairingCode, c.Reason, accountID, id, eventID)
	return err
}

// statusSet is the SET list of a connection result ($1 status, $2 now,
// $3 last error, $4 phone, $5 profile, $6 QR, $7 pairing code, $8 reason).
const statusSet = `status_changed_at = CASE WHEN status <> ` + newStatus + ` THEN $2 ELSE status_changed_at END,
		status = ` + newStatus + `, last_error = $3, updated_at = $2,
		phone_number = CASE WHEN $4 <> '' THEN $4 ELSE phone_number END,
		profile_name = CASE WHEN $5 <> '' THEN $5 ELSE profile_name END,
		disconnect_reason = ` + reasonSQL + `,
		qr_code = CASE WHEN $6 <> '' THEN $6 WHEN $1 IN ('connecting', 'qr_required') THEN qr_code ELSE '' END,
		pairing_code = CASE WHEN $6 <> '' THEN $7 WHEN $1 IN ('connecting', 'qr_required') THEN pairing_code ELSE '' END`

// newStatus is the status a result sets: Evolution reports "connecting"
// while its QR waits to be scanned (and again each time it renews the
// QR), so a "connecting" that arrives while a QR is pending leaves the
// number waiting for the scan instead of hiding why it waits.
const newStatus = `(CASE WHEN $1 = 'connecting' AND status = 'qr_required' AND qr_code <> '' THEN 'qr_required' ELSE $1 END)`

// reasonSQL computes disconnect_reason from the new status ($1) and
// reason ($8).
const reasonSQL = `CASE WHEN $1 = 'connected' THEN ''
		WHEN $8 = '` + ReasonLoggedOut + `' AND disconnect_reason = '` + ReasonHubLogout + `' THEN disconnect_reason
		WHEN $8 <> '' THEN $8 ELSE disconnect_reason END`

// qrOf reads the pending QR code of a number.
func qrOf(ctx context.Context, q db.Querier, accountID, id string) (qr, pairing string, err error) {
	err = q.QueryRowContext(ctx, `SELECT qr_code, pairing_code FROM provider_instances WHERE account_id = $1 AND id = $2`,
		accountID, id).Scan(&qr, &pairing)
	return qr, pairing, db.Translate(err)
}
