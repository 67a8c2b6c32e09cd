package gateway

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/whatpro/hub/internal/db"
)

// chat is a gateway_chats row.
type chat struct {
	ID, AccountID, InstanceID, Key, Kind, JID, Phone, Name string
	ContactID                                              *int
	ContactSourceID                                        string
	ConversationID                                         *int
}

const chatCols = `id, account_id, instance_id, chat_key, kind, jid, phone, name, contact_id, contact_source_id, conversation_id`

func scanChat(row interface{ Scan(...any) error }) (*chat, error) {
	c := &chat{}
	err := row.Scan(&c.ID, &c.AccountID, &c.InstanceID, &c.Key, &c.Kind, &c.JID, &c.Phone, &c.Name, &c.ContactID,
		&c.ContactSourceID, &c.ConversationID)
	return c, db.Translate(err)
}

// chatByAlias finds the chat any of the names belongs to.
func chatByAlias(ctx context.Context, q db.Querier, accountID, instanceID string, aliases []string) (*chat, error) {
	for _, a := range aliases {
		c, err := scanChat(q.QueryRowContext(ctx, `SELECT c.`+chatColsPrefixed+` FROM gateway_aliases a
			JOIN gateway_chats c ON c.id = a.chat_id WHERE a.account_id = $1 AND a.instance_id = $2 AND a.alias = $3`,
			accountID, instanceID, a))
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
	}
	return nil, db.ErrNotFound
}

const chatColsPrefixed = `id, c.account_id, c.instance_id, c.chat_key, c.kind, c.jid, c.phone, c.name, c.contact_id,
	c.contact_source_id, c.conversation_id`

func chatByConversation(ctx context.Context, q db.Querier, accountID, instanceID string, conversationID int) (*chat, error) {
	return scanChat(q.QueryRowContext(ctx, `SELECT `+chatCols+` FROM gateway_chats
		WHERE account_id = $1 AND instance_id = $2 AND conversation_id = $3 ORDER BY created_at LIMIT 1`,
		accountID, instanceID, conversationID))
}

func getChat(ctx context.Context, q db.Querier, accountID, id string) (*chat, error) {
	return scanChat(q.QueryRowContext(ctx, `SELECT `+chatCols+` FROM gateway_chats WHERE account_id = $1 AND id = $2`, accountID, id))
}

// saveChat inserts the chat unless its key exists, adds the aliases that
// are free, and returns the stored row.
func saveChat(ctx context.Context, d *db.DB, c *chat, aliases []string, now time.Time) (*chat, error) {
	var out *chat
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO gateway_chats (id, account_id, instance_id, chat_key, kind, jid, phone, name,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
			ON CONFLICT (account_id, instance_id, chat_key) DO NOTHING`,
			db.NewID(), c.AccountID, c.InstanceID, c.Key, c.Kind, c.JID, c.Phone, c.Name, now)
		if err != nil {
			return err
		}
		out, err = scanChat(tx.QueryRowContext(ctx, `SELECT `+chatCols+` FROM gateway_chats
			WHERE account_id = $1 AND instance_id = $2 AND chat_key = $3`, c.AccountID, c.InstanceID, c.Key))
		if err != nil {
			return err
		}
		for _, a := range aliases {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gateway_aliases (account_id, instance_id, alias, chat_id)
				VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, instance_id, alias) DO NOTHING`, c.AccountID, c.InstanceID, a, out.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// learn records what a later message taught about a chat: new aliases,
// the phone behind a LID, the latest JID and name.
func learn(ctx context.Context, d *db.DB, c *chat, p Peer, jid string, now time.Time) error {
	return d.Tx(ctx, func(tx *sql.Tx) error {
		for _, a := range p.Aliases() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gateway_aliases (account_id, instance_id, alias, chat_id)
				VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, instance_id, alias) DO NOTHING`, c.AccountID, c.InstanceID, a, c.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE gateway_chats SET
			phone = CASE WHEN phone = '' THEN $1 ELSE phone END,
			jid = CASE WHEN $2 <> '' THEN $2 ELSE jid END,
			name = CASE WHEN $3 <> '' THEN $3 ELSE name END,
			last_inbound_at = $4, updated_at = $4
			WHERE account_id = $5 AND id = $6`, p.Phone, jid, p.Name, now, c.AccountID, c.ID)
		return err
	})
}

func setChatContact(ctx context.Context, q db.Querier, accountID, id string, contactID int, sourceID string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_chats SET contact_id = $1, contact_source_id = $2, updated_at = $3
		WHERE account_id = $4 AND id = $5`, contactID, sourceID, now, accountID, id)
	return err
}

func setChatConversation(ctx context.Context, q db.Querier, accountID, id string, conversationID *int, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE gateway_chats SET conversation_id = $1, updated_at = $2 WHERE account_id = $3 AND id = $4`,
		conversationID, now, accountID, id)
	return err
}
