package gateway

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/privacy"
)

// PrivacySections are the gateway's part of an account's export: the
// WhatsApp chats with the names each person is known by, and the message
// map (ids on both sides and delivery state; the texts live in Chatwoot).
func PrivacySections() []privacy.Section {
	return []privacy.Section{
		{Name: "whatsapp_chats", Query: `SELECT id, instance_id, chat_key, kind, jid, phone, name, contact_id, conversation_id,
			last_inbound_at, created_at, updated_at FROM gateway_chats WHERE account_id = $1 ORDER BY created_at, id`},
		{Name: "whatsapp_aliases", Query: `SELECT instance_id, alias, chat_id FROM gateway_aliases WHERE account_id = $1
			ORDER BY instance_id, alias`},
		{Name: "message_map", Query: `SELECT id, instance_id, chat_id, direction, provider_message_id, cw_conversation_id,
			cw_message_id, part, parts, kind, status, attempts, last_error, created_at, updated_at FROM gateway_messages
			WHERE account_id = $1 ORDER BY created_at, id`},
	}
}

// EraseContact forgets who a Chatwoot contact is on WhatsApp: its chats
// lose their id, phone and name (the chat key becomes the chat's own id,
// so a new message from that person starts a new chat), its aliases go,
// and the finished or dead work of its lanes (whose payloads hold what was
// said) is deleted. Work still queued is left to be delivered: it is a
// message the person or an agent sent that has not arrived yet. The
// message map keeps its rows (ids and states, no personal data).
func EraseContact(ctx context.Context, tx *sql.Tx, accountID string, contactID int64, now time.Time) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, instance_id, chat_key, conversation_id FROM gateway_chats
		WHERE account_id = $1 AND contact_id = $2`, accountID, contactID)
	if err != nil {
		return 0, err
	}
	type chat struct {
		id, instance, key string
		conv              sql.NullInt64
	}
	var chats []chat
	for rows.Next() {
		var c chat
		if err := rows.Scan(&c.id, &c.instance, &c.key, &c.conv); err != nil {
			rows.Close()
			return 0, err
		}
		chats = append(chats, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range chats {
		lanes := []string{"in:" + c.instance + ":" + c.key}
		if c.conv.Valid {
			lanes = append(lanes, "out:"+c.instance+":"+strconv.FormatInt(c.conv.Int64, 10))
		}
		for _, lane := range lanes {
			if _, err := tx.ExecContext(ctx, `DELETE FROM gateway_work WHERE account_id = $1 AND lane = $2 AND status <> 'queued'`,
				accountID, lane); err != nil {
				return 0, err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM gateway_aliases WHERE account_id = $1 AND chat_id = $2`, accountID, c.id); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE gateway_chats SET chat_key = 'erased:' || id, jid = '', phone = '', name = '',
			contact_source_id = '', updated_at = $3 WHERE account_id = $1 AND id = $2`, accountID, c.id, now); err != nil {
			return 0, err
		}
	}
	return len(chats), nil
}
