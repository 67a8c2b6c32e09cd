package inbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"

	"github.com/whatpro/hub/internal/chatwoot"
	"github.com/whatpro/hub/internal/db"
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
	LinkedInboxes(ctx context.Context, accountID string) ([]chatwoot.Inbox, error)
}

// Managed creates, adopts and authenticates hub-managed inboxes.
type Managed struct {
	DB       *db.DB
	Keys     *secret.Ring
	Chatwoot ChatwootAPI
	HubURL   string // public URL of the hub, no trailing slash
	// Reserve checks the plan's max_inboxes inside a transaction.
	Reserve func(ctx context.Context, tx *sql.Tx, accountID string) error
	refresh refreshLimiter
}

// EncryptedColumn is the inbox secret column (for secrets rotate);
// TokenColumn is the callback token's.
var (
	EncryptedColumn = [3]string{"inboxes", "id", "secret"}
	TokenColumn     = [3]string{"inboxes", "id", "url_token"}
)

// CallbackURL is where Chatwoot sends an API inbox's events: the token
// authenticates the callbacks of Chatwoot versions that do not sign them.
func (m *Managed) CallbackURL(id, token string) string {
	return m.HubURL + "/webhooks/chatwoot/inboxes/" + id + "?token=" + token
}

// newURLToken makes an inbox's callback token and its ciphertext.
func (m *Managed) newURLToken(id string) (plain, enc string, err error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	plain = "wpi_" + hex.EncodeToString(b)
	enc, err = m.Keys.EncryptString(plain, string(secret.AAD("inboxes", "url_token", id)))
	return plain, enc, err
}

// Create reserves a max_inboxes slot with a pending row, creates the API
// inbox in Chatwoot, then confirms the row with the inbox id and secret. A
// failure releases the slot, so no slot stays taken and no inbox is
// unaccounted. It returns the hub inbox id.
func (m *Managed) Create(ctx context.Context, accountID, name string) (string, error) {
	id := db.NewID()
	tok, encTok, err := m.newURLToken(id)
	if err != nil {
		return "", err
	}
	err = m.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := m.Reserve(ctx, tx, accountID); err != nil {
			return err
		}
		now := db.Now()
		_, err := tx.ExecContext(ctx, `INSERT INTO inboxes (id, account_id, name, channel_type, managed, state, first_seen_at, last_seen_at, url_token)
			VALUES ($1, $2, $3, 'Channel::Api', TRUE, 'pending', $4, $4, $5)`, id, accountID, name, now, encTok)
		return err
	})
	if err != nil {
		return "", err
	}
	in, err := m.Chatwoot.CreateAPIInbox(ctx, accountID, name, m.CallbackURL(id, tok))
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
	tok, err := m.urlToken(ctx, accountID, id)
	if err != nil {
		return "", err
	}
	in, err := m.Chatwoot.PointInbox(ctx, accountID, chatwootInboxID, m.CallbackURL(id, tok))
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

// urlToken returns the inbox's callback token, making one if it has none.
func (m *Managed) urlToken(ctx context.Context, accountID, id string) (string, error) {
	var enc sql.NullString
	if err := m.DB.R.QueryRowContext(ctx, `SELECT url_token FROM inboxes WHERE account_id = $1 AND id = $2`, accountID, id).
		Scan(&enc); err != nil {
		return "", db.Translate(err)
	}
	if enc.Valid && enc.String != "" {
		return m.Keys.DecryptString(enc.String, string(secret.AAD("inboxes", "url_token", id)))
	}
	tok, encTok, err := m.newURLToken(id)
	if err != nil {
		return "", err
	}
	// Only where there is still none: a concurrent mint keeps the first.
	res, err := m.DB.W.ExecContext(ctx, `UPDATE inboxes SET url_token = $1 WHERE account_id = $2 AND id = $3
		AND (url_token IS NULL OR url_token = '')`, encTok, accountID, id)
	if err != nil {
		return "", db.Translate(err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return m.urlToken(ctx, accountID, id)
	}
	return tok, nil
}

// GiveCallbackTokens gives a callback token to the account's managed
// inboxes that have neither a secret nor a token (adopted before callback
// tokens existed: on Chatwoot before 4.13 their unsigned callbacks are
// refused), and points their callbacks in Chatwoot at the URL carrying it.
// listed is Chatwoot's list of the account's inboxes (only those are
// pointed); entries it points are updated with Chatwoot's answer.
func (m *Managed) GiveCallbackTokens(ctx context.Context, accountID string, listed []chatwoot.Inbox) error {
	rows, err := m.DB.R.QueryContext(ctx, `SELECT id, chatwoot_inbox_id FROM inboxes WHERE account_id = $1 AND managed AND state = 'active'
		AND removed_at IS NULL AND chatwoot_inbox_id IS NOT NULL AND (secret IS NULL OR secret = '') AND (url_token IS NULL OR url_token = '')`, accountID)
	if err != nil {
		return err
	}
	want := map[int]string{} // Chatwoot inbox id → hub inbox id
	for rows.Next() {
		var id string
		var cw int
		if err := rows.Scan(&id, &cw); err != nil {
			rows.Close()
			return err
		}
		want[cw] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, in := range listed {
		id, ok := want[in.ID]
		if !ok {
			continue
		}
		tok, err := m.urlToken(ctx, accountID, id)
		if errors.Is(err, db.ErrNotFound) {
			continue // deleted since the query
		} else if err != nil {
			return err
		}
		pointed, err := m.Chatwoot.PointInbox(ctx, accountID, in.ID, m.CallbackURL(id, tok))
		if err != nil {
			return err
		}
		if err := m.confirm(ctx, accountID, id, pointed); err != nil {
			return err
		}
		listed[i] = *pointed
	}
	return nil
}

// ChatwootInboxLink authenticates API-inbox callbacks (intake.Secrets):
// signed with the inbox's secret where Chatwoot gave one (4.13+), else by
// the callback URL's token. An inbox with neither is refused (401), never
// an error: a 5xx would make Chatwoot mark the agent's reply failed.
func (m *Managed) ChatwootInboxLink(ctx context.Context, id string) (intake.Link, error) {
	var accountID string
	var encSecret, encToken sql.NullString
	err := m.DB.Reads().QueryRowContext(ctx, `SELECT account_id, secret, url_token FROM inboxes WHERE id = $1 AND managed AND state = 'active'`, id).
		Scan(&accountID, &encSecret, &encToken)
	if err != nil {
		return intake.Link{}, db.Translate(err)
	}
	l := intake.Link{AccountID: accountID}
	if encSecret.Valid && encSecret.String != "" {
		if l.Secret, err = m.Keys.DecryptString(encSecret.String, string(secret.AAD("inboxes", "secret", id))); err != nil {
			return intake.Link{}, err
		}
	}
	if encToken.Valid && encToken.String != "" {
		if l.URLToken, err = m.Keys.DecryptString(encToken.String, string(secret.AAD("inboxes", "url_token", id))); err != nil {
			return intake.Link{}, err
		}
		l.URLTokenEnabled = true
	}
	return l, nil
}

// Get returns one inbox of the account.
func Get(ctx context.Context, q db.Querier, accountID, id string) (*Inbox, error) {
	in, err := scanInbox(q.QueryRowContext(ctx, `SELECT `+inboxCols+` FROM inboxes i WHERE i.account_id = $1 AND i.id = $2`, accountID, id))
	if err != nil {
		return nil, db.Translate(err)
	}
	return in, nil
}
