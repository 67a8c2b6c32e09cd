package kanban

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
)

const cardCols = `id, board_id, stage_id, status, title, value_cents, currency, priority, due_at, labels, assignee_ids,
	contact_id, contact_name, contact_phone, conversation_id, inbox_id, conversation_status, conversation_synced_at, custom_fields,
	position, version, stage_entered_at, closed_reason, closed_at, last_activity_at, last_message_preview, origin, created_by,
	created_at, updated_at`

func scanCard(r interface{ Scan(...any) error }) (*Card, error) {
	c := &Card{}
	var labels, assignees, fields, name, phone string
	var contactID *int
	err := r.Scan(&c.ID, &c.BoardID, &c.StageID, &c.Status, &c.Title, &c.ValueCents, &c.Currency, &c.Priority, &c.DueAt, &labels,
		&assignees, &contactID, &name, &phone, &c.ConversationID, &c.InboxID, &c.ConversationStatus, &c.synced, &fields,
		&c.Position, &c.Version, &c.StageEnteredAt, &c.ClosedReason, &c.ClosedAt, &c.LastActivityAt, &c.LastMessagePreview,
		&c.Origin, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	// Most cards hold empty lists: skip the decoder for them.
	if labels != "[]" {
		_ = json.Unmarshal([]byte(labels), &c.Labels)
	}
	if assignees != "[]" {
		_ = json.Unmarshal([]byte(assignees), &c.AssigneeIDs)
	}
	if fields != "{}" {
		_ = json.Unmarshal([]byte(fields), &c.CustomFields)
	}
	if c.Labels == nil {
		c.Labels = []string{}
	}
	if c.AssigneeIDs == nil {
		c.AssigneeIDs = []string{}
	}
	if c.CustomFields == nil {
		c.CustomFields = map[string]any{}
	}
	if contactID != nil {
		c.Contact = &Contact{ID: *contactID, Name: name, Phone: phone}
	}
	return c, nil
}

// lockSuffix makes a read inside a write transaction lock the row on
// PostgreSQL; SQLite's single writer needs no lock.
func lockSuffix(d db.Dialect) string {
	if d == db.Postgres {
		return ` FOR UPDATE`
	}
	return ``
}

func getCard(ctx context.Context, q db.Querier, accountID, id string) (*Card, error) {
	return scanCard(q.QueryRowContext(ctx, `SELECT `+cardCols+` FROM kanban_cards WHERE account_id = $1 AND id = $2`, accountID, id))
}

func (s *Service) lockCard(ctx context.Context, tx *sql.Tx, accountID, boardID, id string) (*Card, error) {
	return scanCard(s.DB.InTx(tx).QueryRowContext(ctx, `SELECT `+cardCols+` FROM kanban_cards WHERE account_id = $1 AND board_id = $2 AND id = $3`+
		lockSuffix(s.DB.Dialect), accountID, boardID, id))
}

// searchText is what q matches: title, contact name and phone, lowered
// in Go so both databases compare alike (SQLite's LIKE folds ASCII only).
func searchText(c *Card) string {
	parts := []string{c.Title}
	if c.Contact != nil {
		parts = append(parts, c.Contact.Name, c.Contact.Phone)
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

func nullContact(c *Card) (id any, name, phone string) {
	if c.Contact == nil {
		return nil, "", ""
	}
	return c.Contact.ID, c.Contact.Name, c.Contact.Phone
}

// insertCard stores c; with onConflictNothing a second open card of the
// same contact on the board is skipped (ok=false) instead of failing.
func insertCard(ctx context.Context, tx *sql.Tx, accountID string, c *Card, onConflictNothing bool) (bool, error) {
	cid, name, phone := nullContact(c)
	q := `INSERT INTO kanban_cards (id, account_id, board_id, stage_id, status, title, value_cents, currency, priority, due_at, labels,
		assignee_ids, contact_id, contact_name, contact_phone, conversation_id, inbox_id, conversation_status, conversation_synced_at,
		custom_fields, position, version, stage_entered_at, closed_reason, closed_at, last_activity_at, last_message_preview, search,
		origin, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
			$26, $27, $28, $29, $30, $31, $31)`
	if onConflictNothing {
		q += ` ON CONFLICT DO NOTHING`
	}
	res, err := tx.ExecContext(ctx, q, c.ID, accountID, c.BoardID, c.StageID, c.Status, c.Title, c.ValueCents, c.Currency, c.Priority,
		c.DueAt, jsonText(c.Labels), jsonText(c.AssigneeIDs), cid, name, phone, c.ConversationID, c.InboxID, c.ConversationStatus,
		c.synced, jsonText(c.CustomFields), c.Position, c.Version, c.StageEnteredAt, c.ClosedReason, c.ClosedAt, c.LastActivityAt,
		c.LastMessagePreview, searchText(c), c.Origin, c.CreatedBy, c.CreatedAt)
	if err != nil {
		return false, db.Translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// saveCard writes every mutable column of c.
func saveCard(ctx context.Context, tx db.Querier, accountID string, c *Card) error {
	cid, name, phone := nullContact(c)
	_, err := tx.ExecContext(ctx, `UPDATE kanban_cards SET stage_id = $3, status = $4, title = $5, value_cents = $6, currency = $7,
		priority = $8, due_at = $9, labels = $10, assignee_ids = $11, contact_id = $12, contact_name = $13, contact_phone = $14,
		conversation_id = $15, inbox_id = $16, conversation_status = $17, conversation_synced_at = $18, custom_fields = $19,
		position = $20, version = $21, stage_entered_at = $22, closed_reason = $23, closed_at = $24, last_activity_at = $25,
		last_message_preview = $26, search = $27, updated_at = $28
		WHERE account_id = $1 AND id = $2`,
		accountID, c.ID, c.StageID, c.Status, c.Title, c.ValueCents, c.Currency, c.Priority, c.DueAt, jsonText(c.Labels),
		jsonText(c.AssigneeIDs), cid, name, phone, c.ConversationID, c.InboxID, c.ConversationStatus, c.synced,
		jsonText(c.CustomFields), c.Position, c.Version, c.StageEnteredAt, c.ClosedReason, c.ClosedAt, c.LastActivityAt,
		c.LastMessagePreview, searchText(c), c.UpdatedAt)
	return db.Translate(err)
}

// savePlacement writes what a move changes (stage, status, position and
// their times), so SQLite leaves the card's other indexes (contact,
// conversation) alone: it rewrites every index on a column the SET names.
func savePlacement(ctx context.Context, tx db.Querier, accountID string, c *Card) error {
	_, err := tx.ExecContext(ctx, `UPDATE kanban_cards SET stage_id = $3, status = $4, position = $5, version = $6,
		stage_entered_at = $7, closed_reason = $8, closed_at = $9, updated_at = $10
		WHERE account_id = $1 AND id = $2`,
		accountID, c.ID, c.StageID, c.Status, c.Position, c.Version, c.StageEnteredAt, c.ClosedReason, c.ClosedAt, c.UpdatedAt)
	return db.Translate(err)
}

// actor names who changed a card in its history.
type actor struct{ Type, ID string }

var system = actor{"system", ""}

func addHistory(ctx context.Context, tx db.Querier, accountID string, c *Card, a actor, action string, data any, now time.Time) error {
	if data == nil {
		data = map[string]any{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO kanban_card_history (id, account_id, card_id, board_id, action, actor_type, actor_id, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, db.NewID(), accountID, c.ID, c.BoardID, action, a.Type, a.ID, jsonText(data), now)
	return db.Translate(err)
}

func listHistory(ctx context.Context, q db.Querier, accountID, cardID, after string, limit int) ([]*History, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, card_id, action, actor_type, actor_id, data, created_at FROM kanban_card_history
		WHERE account_id = $1 AND card_id = $2 AND id > $3 ORDER BY id LIMIT $4`, accountID, cardID, after, limit+1)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (*History, error) {
		h := &History{}
		var data string
		err := r.Scan(&h.ID, &h.CardID, &h.Action, &h.ActorType, &h.ActorID, &data, &h.CreatedAt)
		h.Data = json.RawMessage(data)
		return h, err
	})
}

func collectCards(rows *sql.Rows, err error) ([]*Card, error) {
	return db.Collect(rows, err, scanCard)
}
