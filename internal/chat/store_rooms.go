package chat

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/whatpro/hub/internal/db"
)

const roomCols = `r.id, r.type, r.name, r.topic, r.created_by, r.last_seq, r.last_message_at, r.archived_at, r.created_at, r.updated_at`

func scanRoom(r interface{ Scan(...any) error }, extra ...any) (*Room, error) {
	rm := &Room{MemberIDs: []string{}}
	dest := append([]any{&rm.ID, &rm.Type, &rm.Name, &rm.Topic, &rm.CreatedBy, &rm.LastSeq, &rm.LastMessageAt, &rm.ArchivedAt,
		&rm.CreatedAt, &rm.UpdatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, db.Translate(err)
	}
	return rm, nil
}

func getRoom(ctx context.Context, q db.Querier, accountID, roomID string) (*Room, error) {
	rm, err := scanRoom(q.QueryRowContext(ctx, `SELECT `+roomCols+` FROM chat_rooms r WHERE r.account_id = $1 AND r.id = $2`, accountID, roomID))
	if err != nil {
		return nil, err
	}
	return rm, fillMemberIDs(ctx, q, accountID, []*Room{rm})
}

// fillMemberIDs loads the member ids of rooms in one query.
func fillMemberIDs(ctx context.Context, q db.Querier, accountID string, rooms []*Room) error {
	if len(rooms) == 0 {
		return nil
	}
	byID := map[string]*Room{}
	query := `SELECT room_id, user_id FROM chat_members WHERE account_id = $1 AND room_id IN (`
	args := []any{accountID}
	for i, r := range rooms {
		byID[r.ID] = r
		if i > 0 {
			query += `, `
		}
		args = append(args, r.ID)
		query += `$` + strconv.Itoa(len(args))
	}
	rows, err := q.QueryContext(ctx, query+`) ORDER BY room_id, joined_at, user_id`, args...)
	pairs, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	for _, p := range pairs {
		byID[p[0]].MemberIDs = append(byID[p[0]].MemberIDs, p[1])
	}
	return err
}

const memberCols = `room_id, user_id, role, last_read_seq, unread_count, mention_count, muted, muted_until, hidden, joined_at`

func scanMember(r interface{ Scan(...any) error }) (*member, error) {
	m := &member{}
	err := r.Scan(&m.RoomID, &m.UserID, &m.Role, &m.LastReadSeq, &m.UnreadCount, &m.MentionCount, &m.Muted, &m.MutedUntil, &m.Hidden, &m.JoinedAt)
	return m, db.Translate(err)
}

func getMember(ctx context.Context, q db.Querier, accountID, roomID, userID string) (*member, error) {
	return scanMember(q.QueryRowContext(ctx, `SELECT `+memberCols+` FROM chat_members WHERE account_id = $1 AND room_id = $2 AND user_id = $3`,
		accountID, roomID, userID))
}

func roomMembers(ctx context.Context, q db.Querier, accountID, roomID string) ([]*member, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+memberCols+` FROM chat_members WHERE account_id = $1 AND room_id = $2 ORDER BY joined_at, user_id`,
		accountID, roomID)
	return db.Collect(rows, err, scanMember)
}

// userRooms lists the rooms userID belongs to, with the user's member
// fields, most recent activity first.
func userRooms(ctx context.Context, q db.Querier, accountID, userID string, archived bool) ([]*Room, error) {
	cond := `r.archived_at IS NULL`
	if archived {
		cond = `r.archived_at IS NOT NULL`
	}
	rows, err := q.QueryContext(ctx, `SELECT `+roomCols+`, m.role, m.last_read_seq, m.unread_count, m.mention_count, m.muted, m.muted_until, m.hidden
		FROM chat_members m JOIN chat_rooms r ON r.id = m.room_id AND r.account_id = m.account_id
		WHERE m.account_id = $1 AND m.user_id = $2 AND `+cond+`
		ORDER BY COALESCE(r.last_message_at, r.created_at) DESC, r.id`, accountID, userID)
	out, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (*Room, error) {
		var rm Room
		got, err := scanRoom(r, &rm.Role, &rm.LastReadSeq, &rm.UnreadCount, &rm.MentionCount, &rm.Muted, &rm.MutedUntil, &rm.Hidden)
		if err != nil {
			return nil, err
		}
		got.Member, got.Role, got.LastReadSeq, got.UnreadCount, got.MentionCount = true, rm.Role, rm.LastReadSeq, rm.UnreadCount, rm.MentionCount
		got.Muted, got.MutedUntil, got.Hidden = rm.Muted, rm.MutedUntil, rm.Hidden
		return got, nil
	})
	if err != nil {
		return nil, err
	}
	return out, fillMemberIDs(ctx, q, accountID, out)
}

// publicRooms lists the account's open public rooms userID is not in.
func publicRooms(ctx context.Context, q db.Querier, accountID, userID string) ([]*Room, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+roomCols+` FROM chat_rooms r
		WHERE r.account_id = $1 AND r.type = 'public' AND r.archived_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM chat_members m WHERE m.account_id = $1 AND m.room_id = r.id AND m.user_id = $2)
		ORDER BY r.name_key, r.id LIMIT 500`, accountID, userID)
	out, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (*Room, error) { return scanRoom(r) })
	if err != nil {
		return nil, err
	}
	return out, fillMemberIDs(ctx, q, accountID, out)
}

func insertRoom(ctx context.Context, tx *sql.Tx, accountID string, r *Room, nameKey, dmKey *string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO chat_rooms (id, account_id, type, name, name_key, topic, dm_key, created_by, last_seq,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)`,
		r.ID, accountID, r.Type, r.Name, nameKey, r.Topic, dmKey, r.CreatedBy, r.CreatedAt)
	return db.Translate(err)
}

// insertRoomOnce inserts a DM unless its key exists; created=false means a
// concurrent or earlier create won.
func insertRoomOnce(ctx context.Context, tx *sql.Tx, accountID string, r *Room, dmKey string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO chat_rooms (id, account_id, type, name, topic, dm_key, created_by, last_seq, created_at, updated_at)
		VALUES ($1, $2, $3, '', '', $4, $5, 0, $6, $6) ON CONFLICT (account_id, dm_key) WHERE dm_key IS NOT NULL DO NOTHING`,
		r.ID, accountID, r.Type, dmKey, r.CreatedBy, r.CreatedAt)
	if err != nil {
		return false, db.Translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func roomByDMKey(ctx context.Context, q db.Querier, accountID, dmKey string) (*Room, error) {
	rm, err := scanRoom(q.QueryRowContext(ctx, `SELECT `+roomCols+` FROM chat_rooms r WHERE r.account_id = $1 AND r.dm_key = $2`, accountID, dmKey))
	if err != nil {
		return nil, err
	}
	return rm, fillMemberIDs(ctx, q, accountID, []*Room{rm})
}

func updateRoom(ctx context.Context, tx *sql.Tx, accountID string, r *Room, nameKey *string) error {
	_, err := tx.ExecContext(ctx, `UPDATE chat_rooms SET name = $3, name_key = $4, topic = $5, archived_at = $6, updated_at = $7
		WHERE account_id = $1 AND id = $2`, accountID, r.ID, r.Name, nameKey, r.Topic, r.ArchivedAt, r.UpdatedAt)
	return db.Translate(err)
}

// lockRoom takes the room's row for the rest of the transaction, so
// membership and message numbering in one room are serialised.
func lockRoom(ctx context.Context, tx *sql.Tx, d db.Dialect, accountID, roomID string) (*Room, error) {
	q := `SELECT ` + roomCols + ` FROM chat_rooms r WHERE r.account_id = $1 AND r.id = $2`
	if d == db.Postgres {
		q += ` FOR UPDATE`
	}
	rm, err := scanRoom(tx.QueryRowContext(ctx, q, accountID, roomID))
	if err != nil {
		return nil, err
	}
	return rm, fillMemberIDs(ctx, tx, accountID, []*Room{rm})
}

// claimSeq numbers a new message of the author in the room, only while
// the room is open and the author a member (ErrNotFound otherwise).
func claimSeq(ctx context.Context, tx *sql.Tx, accountID, roomID, authorID string, now time.Time) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE chat_rooms SET last_seq = last_seq + 1, last_message_at = $4, updated_at = $4
		WHERE account_id = $1 AND id = $2 AND archived_at IS NULL
		AND EXISTS (SELECT 1 FROM chat_members WHERE account_id = $1 AND room_id = $2 AND user_id = $3)
		RETURNING last_seq`, accountID, roomID, authorID, now).Scan(&seq)
	return seq, db.Translate(err)
}

// nextSeq numbers a new message of the room.
func nextSeq(ctx context.Context, tx *sql.Tx, accountID, roomID string, now time.Time) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE chat_rooms SET last_seq = last_seq + 1, last_message_at = $3, updated_at = $3
		WHERE account_id = $1 AND id = $2 RETURNING last_seq`, accountID, roomID, now).Scan(&seq)
	return seq, db.Translate(err)
}

func insertMember(ctx context.Context, tx *sql.Tx, accountID string, m *member, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO chat_members (account_id, room_id, user_id, role, last_read_seq, unread_count, mention_count,
		muted, hidden, joined_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, 0, FALSE, FALSE, $6, $6)`,
		accountID, m.RoomID, m.UserID, m.Role, m.LastReadSeq, now)
	return db.Translate(err)
}

func deleteMember(ctx context.Context, tx *sql.Tx, accountID, roomID, userID string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM chat_members WHERE account_id = $1 AND room_id = $2 AND user_id = $3`, accountID, roomID, userID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func setRole(ctx context.Context, tx *sql.Tx, accountID, roomID, userID, role string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE chat_members SET role = $4, updated_at = $5 WHERE account_id = $1 AND room_id = $2 AND user_id = $3`,
		accountID, roomID, userID, role, now)
	return err
}

func itoa(n int) string { return strconv.Itoa(n) }
