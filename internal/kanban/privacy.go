package kanban

import (
	"context"
	"database/sql"
	"time"

	"github.com/whatpro/hub/internal/privacy"
)

// PrivacySections are the account's boards and deals in its export.
func PrivacySections() []privacy.Section {
	return []privacy.Section{
		{Name: "boards", Query: `SELECT id, name, description, is_default, currency, visibility, visible_user_ids, visible_team_ids, entry_all_inboxes,
			entry_inbox_ids, stage_attribute, custom_fields, version, created_at, updated_at FROM kanban_boards WHERE account_id = $1
			ORDER BY created_at, id`, JSON: []string{"visible_user_ids", "visible_team_ids", "entry_inbox_ids", "custom_fields"}},
		{Name: "stages", Query: `SELECT id, board_id, name, color, position, kind, stale_after_hours, win_probability, wip_limit,
			required_fields, created_at, updated_at FROM kanban_stages WHERE account_id = $1 ORDER BY board_id, position, id`,
			JSON: []string{"required_fields"}},
		{Name: "cards", Query: `SELECT id, board_id, stage_id, status, title, value_cents, currency, priority, due_at, labels,
			assignee_ids, contact_id, contact_name, contact_phone, conversation_id, inbox_id, conversation_status, custom_fields,
			position, version, stage_entered_at, closed_reason, closed_at, last_activity_at, last_message_preview, origin,
			created_by, created_at, updated_at FROM kanban_cards WHERE account_id = $1 ORDER BY board_id, created_at, id`,
			JSON: []string{"labels", "assignee_ids", "custom_fields"}},
		{Name: "card_notes", Query: `SELECT id, card_id, author_id, body, created_at, updated_at FROM kanban_notes
			WHERE account_id = $1 ORDER BY created_at, id`},
		{Name: "card_history", Query: `SELECT id, card_id, board_id, action, actor_type, actor_id, data, created_at
			FROM kanban_card_history WHERE account_id = $1 ORDER BY created_at, id`, JSON: []string{"data"}},
	}
}

// EraseContact removes a Chatwoot contact's name, phone and last message
// from the account's cards (the deals stay, anonymous) and from the text
// the card search reads.
func EraseContact(ctx context.Context, tx *sql.Tx, accountID string, contactID int64, now time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE kanban_cards SET contact_name = '', contact_phone = '', last_message_preview = '',
		search = lower(title), updated_at = $3 WHERE account_id = $1 AND contact_id = $2`, accountID, contactID, now)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
