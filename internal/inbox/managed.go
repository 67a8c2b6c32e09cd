package inbox

import (
	"context"
	"database/sql"
	"errors"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/intake"
	"github.com/whatpro/hub/internal/secret"
)

// Hub-managed inboxes: API inboxes the hub created in Chatwoot for a number
// (or adopted), whose callbacks it verifies with the secret Chatwoot made.

// ChatwootAPI is what managing an inbox needs from the Chatwoot link.
type ChatwootAPI interface {
	CreateAPIInbox(ctx context.Context, accountID, name, webhookURL string) (*chatwoot.Inbox, error)
	PointInbox(ctx context.Context, accountID string, inboxID int, webhookURL string) (*chatwoot.Inbox, error)
	DeleteInbox(ctx context.Context, accountID string, inboxID int) error
}

// Managed creates, adopts and authenticates hub-managed inboxes.
type Managed struct {
	DB       *db.DB
	Keys     *secret.Ring
	Chatwoot ChatwootAPI
	HubURL   string // public URL of the hub, no trailing slash
	// Reserve checks the plan's max_inboxes inside a transaction.
	Reserve func(ctx context.Context, tx *sql.Tx, accountID string) error
}

// EncryptedColumn is the inbox secret column (for secrets rotate).
var EncryptedColumn = [3]string{"inboxes", "id", "secret"}

// CallbackURL is where Chatwoot sends an API inbox's events.
func (m *Managed) CallbackURL(id string) string { return m.HubURL + "/webhooks/chatwoot/inboxes/" + id }

// Create reserves a max_inboxes slot with a pending row, creates the API
// inbox in Chatwoot, then confirms the row with the inbox id and secret. A
// failure releases the slot, so no slot stays taken and no inbox is
// unaccounted. It returns the hub inbox id.
func (m *Managed) Create(ctx context.Context, accountID, name string) (string, error) {
	id := db.NewID()
	err := m.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := m.Reserve(ctx, tx, accountID); err != nil {
			return err
		}
		now := db.Now()
		_, err := tx.ExecContext(ctx, `INSERT INTO inboxes (id, account_id, name, channel_type, managed, state, first_seen_at, last_seen_at)
			VALUES ($1, $2, $3, 'Channel::Api', TRUE, 'pending', $4, $4)`, id, accountID, name, now)
		return err
	})
	if err != nil {
		return "", err
	}
	in, err := m.Chatwoot.CreateAPIInbox(ctx, accountID, name, m.CallbackURL(id))
	if err != nil {
		m.release(accountID, id)
		return "", err
	}
	if err := m.confirm(ctx, accountID, id, in); err != nil {
		_ = m.Chatwoot.DeleteInbox(context.WithoutCancel(ctx), accountID, in.ID)
		m.release(accountID, id)
		return "", err
	}
	return id, nil
}

// Adopt makes an existing mirrored inbox hub-managed: its callbacks are
// pointed to the hub and its secret kept.
func (m *Managed) Adopt(ctx context.Context, accountID string, chatwootInboxID int) (string, error) {
	var id string
	var managed bool
	err := m.DB.R.QueryRowContext(ctx, `SELECT id, managed FROM inboxes WHERE account_id = $1 AND chatwoot_inbox_id = $2 AND removed_at IS NULL`,
		accountID, chatwootInboxID).Scan(&id, &managed)
	if err != nil {
		return "", db.Translate(err)
	}
	if !managed {
		err := m.DB.Tx(ctx, func(tx *sql.Tx) error {
			if err := m.Reserve(ctx, tx, accountID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE inboxes SET managed = TRUE WHERE account_id = $1 AND id = $2`, accountID, id)
			return err
		})
		if err != nil {
			return "", err
		}
	}
	in, err := m.Chatwoot.PointInbox(ctx, accountID, chatwootInboxID, m.CallbackURL(id))
	if err == nil {
		err = m.confirm(ctx, accountID, id, in)
	}
	if err != nil && !managed {
		_, _ = m.DB.W.ExecContext(context.WithoutCancel(ctx), `UPDATE inboxes SET managed = FALSE WHERE account_id = $1 AND id = $2`, accountID, id)
	}
	return id, err
}

func (m *Managed) confirm(ctx context.Context, accountID, id string, in *chatwoot.Inbox) error {
	var enc any
	if in.Secret != "" {
		s, err := m.Keys.EncryptString(in.Secret, string(secret.AAD("inboxes", "secret", id)))
		if err != nil {
			return err
		}
		enc = s
	}
	_, err := m.DB.W.ExecContext(ctx, `UPDATE inboxes SET chatwoot_inbox_id = $1, name = $2, channel_type = $3, webhook_url = $4,
		secret = COALESCE($5, secret), state = 'active', last_seen_at = $6 WHERE account_id = $7 AND id = $8`,
		in.ID, in.Name, in.ChannelType, in.WebhookURL, enc, db.Now(), accountID, id)
	return db.Translate(err)
}

func (m *Managed) release(accountID, id string) {
	_, _ = m.DB.W.ExecContext(context.Background(), `DELETE FROM inboxes WHERE account_id = $1 AND id = $2 AND state = 'pending'`, accountID, id)
}

// ChatwootInboxLink authenticates API-inbox callbacks (intake.Secrets).
func (m *Managed) ChatwootInboxLink(ctx context.Context, id string) (intake.Link, error) {
	var accountID string
	var enc sql.NullString
	err := m.DB.R.QueryRowContext(ctx, `SELECT account_id, secret FROM inboxes WHERE id = $1 AND managed AND state = 'active'`, id).
		Scan(&accountID, &enc)
	if err != nil {
		return intake.Link{}, db.Translate(err)
	}
	if !enc.Valid || enc.String == "" {
		return intake.Link{}, errors.New("the inbox has no secret recorded")
	}
	sec, err := m.Keys.DecryptString(enc.String, string(secret.AAD("inboxes", "secret", id)))
	return intake.Link{AccountID: accountID, Secret: sec}, err
}

// Get returns one inbox of the account.
func Get(ctx context.Context, q db.Querier, accountID, id string) (*Inbox, error) {
	list, err := List(ctx, q, accountID, Filter{ID: id}, httpx.PageParams{Limit: 1})
	if err != nil {
		return nil, err
	}
	for _, in := range list {
		if in.ID == id {
			return in, nil
		}
	}
	return nil, db.ErrNotFound
}
