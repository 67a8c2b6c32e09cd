package kanban

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/realtime"
)

const boardCols = `id, name, description, is_default, currency, visibility, visible_user_ids, visible_team_ids, entry_all_inboxes,
	entry_inbox_ids, stage_attribute, custom_fields, version, created_at, updated_at`

func scanBoard(r interface{ Scan(...any) error }) (*Board, error) {
	b := &Board{}
	var users, teams, inboxes, fields string
	err := r.Scan(&b.ID, &b.Name, &b.Description, &b.IsDefault, &b.Currency, &b.Visibility, &users, &teams, &b.EntryRule.AllInboxes,
		&inboxes, &b.StageAttribute, &fields, &b.Version, &b.CreatedAt, &b.UpdatedAt)
	if err != nil {
		return nil, db.Translate(err)
	}
	_ = json.Unmarshal([]byte(users), &b.VisibleUserIDs)
	_ = json.Unmarshal([]byte(teams), &b.VisibleTeamIDs)
	_ = json.Unmarshal([]byte(inboxes), &b.EntryRule.InboxIDs)
	_ = json.Unmarshal([]byte(fields), &b.CustomFields)
	if b.VisibleUserIDs == nil {
		b.VisibleUserIDs = []string{}
	}
	if b.VisibleTeamIDs == nil {
		b.VisibleTeamIDs = []int{}
	}
	if b.EntryRule.InboxIDs == nil {
		b.EntryRule.InboxIDs = []int{}
	}
	if b.CustomFields == nil {
		b.CustomFields = []CustomField{}
	}
	return b, nil
}

func getBoard(ctx context.Context, q db.Querier, accountID, id string) (*Board, error) {
	return scanBoard(q.QueryRowContext(ctx, `SELECT `+boardCols+` FROM kanban_boards WHERE account_id = $1 AND id = $2`, accountID, id))
}

func listBoards(ctx context.Context, q db.Querier, accountID string) ([]*Board, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+boardCols+` FROM kanban_boards WHERE account_id = $1 ORDER BY is_default DESC, id`, accountID)
	return db.Collect(rows, err, scanBoard)
}

func teamIDs(b *Board) []int {
	if b.VisibleTeamIDs == nil {
		return []int{}
	}
	return b.VisibleTeamIDs
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func insertBoard(ctx context.Context, tx *sql.Tx, accountID string, b *Board) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO kanban_boards (id, account_id, name, description, is_default, currency, visibility,
		visible_user_ids, entry_all_inboxes, entry_inbox_ids, stage_attribute, custom_fields, version, created_at, updated_at, visible_team_ids)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)`,
		b.ID, accountID, b.Name, b.Description, b.IsDefault, b.Currency, b.Visibility, jsonText(b.VisibleUserIDs),
		b.EntryRule.AllInboxes, jsonText(b.EntryRule.InboxIDs), b.StageAttribute, jsonText(b.CustomFields), b.Version, b.CreatedAt,
		jsonText(teamIDs(b)))
	return db.Translate(err)
}

func updateBoard(ctx context.Context, tx *sql.Tx, accountID string, b *Board) error {
	_, err := tx.ExecContext(ctx, `UPDATE kanban_boards SET name = $3, description = $4, currency = $5, visibility = $6,
		visible_user_ids = $7, entry_all_inboxes = $8, entry_inbox_ids = $9, stage_attribute = $10, custom_fields = $11,
		version = $12, updated_at = $13, visible_team_ids = $14 WHERE account_id = $1 AND id = $2`,
		accountID, b.ID, b.Name, b.Description, b.Currency, b.Visibility, jsonText(b.VisibleUserIDs), b.EntryRule.AllInboxes,
		jsonText(b.EntryRule.InboxIDs), b.StageAttribute, jsonText(b.CustomFields), b.Version, b.UpdatedAt, jsonText(teamIDs(b)))
	return db.Translate(err)
}

const stageCols = `id, board_id, name, color, position, kind, stale_after_hours, win_probability, wip_limit, required_fields`

func scanStage(r interface{ Scan(...any) error }) (*Stage, error) {
	st := &Stage{}
	var req string
	if err := r.Scan(&st.ID, &st.BoardID, &st.Name, &st.Color, &st.Position, &st.Kind, &st.StaleAfterHours, &st.WinProbability,
		&st.WIPLimit, &req); err != nil {
		return nil, db.Translate(err)
	}
	_ = json.Unmarshal([]byte(req), &st.RequiredFields)
	if st.RequiredFields == nil {
		st.RequiredFields = []string{}
	}
	return st, nil
}

func listStages(ctx context.Context, q db.Querier, accountID, boardID string) ([]*Stage, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+stageCols+` FROM kanban_stages WHERE account_id = $1 AND board_id = $2
		ORDER BY position, id`, accountID, boardID)
	return db.Collect(rows, err, scanStage)
}

func getStage(ctx context.Context, q db.Querier, accountID, boardID, id string) (*Stage, error) {
	return scanStage(q.QueryRowContext(ctx, `SELECT `+stageCols+` FROM kanban_stages WHERE account_id = $1 AND board_id = $2 AND id = $3`,
		accountID, boardID, id))
}

func insertStage(ctx context.Context, tx *sql.Tx, accountID string, st *Stage, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO kanban_stages (id, account_id, board_id, name, color, position, kind, stale_after_hours,
		win_probability, wip_limit, required_fields, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
		st.ID, accountID, st.BoardID, st.Name, st.Color, st.Position, st.Kind, st.StaleAfterHours, st.WinProbability, st.WIPLimit,
		jsonText(st.RequiredFields), now)
	return db.Translate(err)
}

func updateStage(ctx context.Context, tx *sql.Tx, accountID string, st *Stage, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE kanban_stages SET name = $4, color = $5, position = $6, kind = $7, stale_after_hours = $8,
		win_probability = $9, wip_limit = $10, required_fields = $11, updated_at = $12
		WHERE account_id = $1 AND board_id = $2 AND id = $3`,
		accountID, st.BoardID, st.ID, st.Name, st.Color, st.Position, st.Kind, st.StaleAfterHours, st.WinProbability, st.WIPLimit,
		jsonText(st.RequiredFields), now)
	return db.Translate(err)
}

// defaultStages are the stages of the board every account gets on first
// use, named in the account's language.
func defaultStages(locale string) (board string, currency string, stages []Stage) {
	type s = Stage
	if locale == "en" || len(locale) > 2 && locale[:3] == "en-" {
		return "Sales pipeline", "USD", []Stage{
			{Name: "New lead", Color: "#3b82f6", Kind: KindOpen, WinProbability: 10},
			{Name: "Qualified", Color: "#8b5cf6", Kind: KindOpen, WinProbability: 25},
			{Name: "Proposal", Color: "#f59e0b", Kind: KindOpen, WinProbability: 50},
			{Name: "Negotiation", Color: "#f97316", Kind: KindOpen, WinProbability: 75},
			{Name: "Won", Color: "#10b981", Kind: KindWon, WinProbability: 100},
			{Name: "Lost", Color: "#ef4444", Kind: KindLost, WinProbability: 0},
		}
	}
	return "Funil de vendas", "BRL", []s{
		{Name: "Novo lead", Color: "#3b82f6", Kind: KindOpen, WinProbability: 10},
		{Name: "Qualificado", Color: "#8b5cf6", Kind: KindOpen, WinProbability: 25},
		{Name: "Proposta", Color: "#f59e0b", Kind: KindOpen, WinProbability: 50},
		{Name: "Negociação", Color: "#f97316", Kind: KindOpen, WinProbability: 75},
		{Name: "Ganho", Color: "#10b981", Kind: KindWon, WinProbability: 100},
		{Name: "Perdido", Color: "#ef4444", Kind: KindLost, WinProbability: 0},
	}
}

// accountLocale is the language of the account's oldest active admin (the
// hub keeps no locale per account); pt-BR when there is none.
func accountLocale(ctx context.Context, q db.Querier, accountID string) string {
	var loc string
	err := q.QueryRowContext(ctx, `SELECT u.locale FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = $1 AND m.role = 'admin' AND m.status = 'active' ORDER BY m.created_at LIMIT 1`, accountID).Scan(&loc)
	if errors.Is(err, sql.ErrNoRows) || loc == "" {
		return "pt-BR"
	}
	return loc
}

// EnsureDefaultBoard creates the account's default board (every inbox
// enters it) unless the account has one; concurrent first uses create it
// once (a unique index on the default flag).
func (s *Service) EnsureDefaultBoard(ctx context.Context, accountID string) error {
	var n int
	if err := s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM kanban_boards WHERE account_id = $1 AND is_default`, accountID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	now := s.now()
	name, currency, stages := defaultStages(accountLocale(ctx, s.DB.R, accountID))
	b := &Board{ID: db.NewID(), Name: name, IsDefault: true, Currency: currency, Visibility: "all", VisibleUserIDs: []string{},
		VisibleTeamIDs: []int{}, EntryRule: EntryRule{AllInboxes: true, InboxIDs: []int{}}, CustomFields: []CustomField{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	created := false
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO kanban_boards (id, account_id, name, description, is_default, currency, visibility,
			visible_user_ids, entry_all_inboxes, entry_inbox_ids, stage_attribute, custom_fields, version, created_at, updated_at)
			VALUES ($1, $2, $3, '', TRUE, $4, 'all', '[]', TRUE, '[]', '', '[]', 1, $5, $5) ON CONFLICT DO NOTHING`,
			b.ID, accountID, b.Name, b.Currency, now)
		if err != nil {
			return db.Translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		created = true
		for i, st := range stages {
			st.ID, st.BoardID, st.Position, st.RequiredFields = db.NewID(), b.ID, float64(i+1)*positionGap, []string{}
			if err := insertStage(ctx, tx, accountID, &st, now); err != nil {
				return err
			}
			b.Stages = append(b.Stages, &st)
		}
		_, err = s.Events.Append(ctx, tx, accountID, realtime.New{Type: "board.created", Topic: topicBoards, Scope: boardScope(b), Data: b})
		return err
	})
	if err == nil && created {
		s.Events.Wake(accountID)
	}
	return err
}

// BoardCounter measures the plan's max_boards.
func BoardCounter(ctx context.Context, q db.Querier, accountID string, _ time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM kanban_boards WHERE account_id = $1`, accountID).Scan(&n)
	return n, err
}
