package gateway

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// mapped is a gateway_messages row: one WhatsApp message and its
// Chatwoot counterpart (part n of a Chatwoot message that became several
// WhatsApp messages).
type mapped struct {
	ID, AccountID, InstanceID, ChatID, Direction string
	ProviderID                                   *string
	ConversationID, CWMessageID                  *int
	Part, Parts                                  int
	Kind, Status                                 string
	Attempts                                     int
	LastError                                    string
	CreatedAt, UpdatedAt                         time.Time
}

const mappedCols = `id, account_id, instance_id, chat_id, direction, provider_message_id, cw_conversation_id, cw_message_id,
	part, parts, kind, status, attempts, last_error, created_at, updated_at`

func scanMapped(row interface{ Scan(...any) error }) (*mapped, error) {
	m := &mapped{}
	err := row.Scan(&m.ID, &m.AccountID, &m.InstanceID, &m.ChatID, &m.Direction, &m.ProviderID, &m.ConversationID,
		&m.CWMessageID, &m.Part, &m.Parts, &m.Kind, &m.Status, &m.Attempts, &m.LastError, &m.CreatedAt, &m.UpdatedAt)
	return m, db.Translate(err)
}

func byProviderID(ctx context.Context, q db.Querier, accountID, instanceID, id string) (*mapped, error) {
	return scanMapped(q.QueryRowContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages
		WHERE account_id = $1 AND instance_id = $2 AND provider_message_id = $3`, accountID, instanceID, id))
}

func byChatwootID(ctx context.Context, q db.Querier, accountID string, cwMessageID int) ([]*mapped, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1 AND cw_message_id = $2
		ORDER BY part`, accountID, cwMessageID)
	return db.Collect(rows, err, scanMapped)
}

// claimInbound inserts the map row of an inbound message before Chatwoot
// is called; the unique key makes a second copy find the first.
func claimInbound(ctx context.Context, q db.Querier, m *mapped) (*mapped, bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO gateway_messages (id, account_id, instance_id, chat_id, direction,
			provider_message_id, cw_conversation_id, kind, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'in', $5, $6, $7, 'creating', $8, $8)
		ON CONFLICT (account_id, instance_id, provider_message_id) DO NOTHING`,
		db.NewID(), m.AccountID, m.InstanceID, m.ChatID, m.ProviderID, m.ConversationID, m.Kind, m.CreatedAt)
	if err != nil {
		return nil, false, err
	}
	n, _ := res.RowsAffected()
	got, err := byProviderID(ctx, q, m.AccountID, m.InstanceID, *m.ProviderID)
	return got, n == 1, err
}

func setCreated(ctx context.Context, q db.Querier, accountID, id string, conversationID, cwMessageID int, status string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_messages SET cw_conversation_id = $1, cw_message_id = $2, status = $3,
		attempts = attempts + 1, updated_at = $4 WHERE account_id = $5 AND id = $6`, conversationID, cwMessageID, status, now, accountID, id)
	return db.Translate(err)
}

// claimPart inserts the map row of part n of an outbound message.
func claimPart(ctx context.Context, q db.Querier, m *mapped) (*mapped, error) {
	_, err := q.ExecContext(ctx, `INSERT INTO gateway_messages (id, account_id, instance_id, chat_id, direction,
			cw_conversation_id, cw_message_id, part, parts, kind, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'out', $5, $6, $7, $8, $9, 'sending', $10, $10)
		ON CONFLICT (account_id, cw_message_id, part) DO NOTHING`,
		db.NewID(), m.AccountID, m.InstanceID, m.ChatID, m.ConversationID, m.CWMessageID, m.Part, m.Parts, m.Kind, m.CreatedAt)
	if err != nil {
		return nil, err
	}
	return scanMapped(q.QueryRowContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1
		AND cw_message_id = $2 AND part = $3`, m.AccountID, *m.CWMessageID, m.Part))
}

func setSent(ctx context.Context, q db.Querier, accountID, id, providerID string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_messages SET provider_message_id = $1, status = 'sent', attempts = attempts + 1,
		last_error = '', updated_at = $2 WHERE account_id = $3 AND id = $4`, providerID, now, accountID, id)
	return db.Translate(err)
}

func setPartFailed(ctx context.Context, q db.Querier, accountID, id, msg string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_messages SET status = 'failed', attempts = attempts + 1, last_error = $1,
		updated_at = $2 WHERE account_id = $3 AND id = $4`, clip(msg, 1000), now, accountID, id)
	return err
}

// resetPart makes a failed part sendable again (Chatwoot's Retry).
func resetPart(ctx context.Context, q db.Querier, accountID, id string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_messages SET status = 'sending', provider_message_id = NULL, last_error = '',
		updated_at = $1 WHERE account_id = $2 AND id = $3 AND status = 'failed'`, now, accountID, id)
	return err
}

// advance moves a part's status forward only and returns the message's
// status over all its parts (the minimum), or "" when nothing moved.
func advance(ctx context.Context, d *db.DB, m *mapped, status, lastError string, now time.Time) (string, error) {
	var overall string
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := scanMapped(tx.QueryRowContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1 AND id = $2`,
			m.AccountID, m.ID))
		if err != nil {
			return err
		}
		if cur.Status == "failed" || (status != "failed" && statusRank(status) <= statusRank(cur.Status)) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE gateway_messages SET status = $1, last_error = $2, updated_at = $3
			WHERE account_id = $4 AND id = $5`, status, clip(lastError, 1000), now, m.AccountID, m.ID); err != nil {
			return err
		}
		if status == "failed" || cur.CWMessageID == nil {
			overall = status
			return nil
		}
		parts, err := byChatwootIDTx(ctx, tx, m.AccountID, *cur.CWMessageID)
		if err != nil {
			return err
		}
		overall = "read"
		for _, p := range parts {
			if p.Status == "failed" {
				overall = ""
				return nil
			}
			if statusRank(p.Status) < statusRank(overall) {
				overall = p.Status
			}
		}
		if len(parts) < cur.Parts || statusRank(overall) < 1 {
			overall = ""
		}
		return nil
	})
	return overall, err
}

func byChatwootIDTx(ctx context.Context, tx *sql.Tx, accountID string, cwMessageID int) ([]*mapped, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1 AND cw_message_id = $2`,
		accountID, cwMessageID)
	return db.Collect(rows, err, scanMapped)
}

// pendingSend is an outbound part of the chat sent without its provider
// id recorded (a crash between the send and the write), which the
// provider's echo of the send can complete.
func pendingSend(ctx context.Context, q db.Querier, accountID, instanceID, chatID string) (*mapped, error) {
	return scanMapped(q.QueryRowContext(ctx, `SELECT `+mappedCols+` FROM gateway_messages WHERE account_id = $1
		AND instance_id = $2 AND chat_id = $3 AND direction = 'out' AND status = 'sending' AND provider_message_id IS NULL
		ORDER BY created_at LIMIT 1`, accountID, instanceID, chatID))
}
