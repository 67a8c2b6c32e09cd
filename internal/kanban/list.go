package kanban

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/realtime"
)

// Totals are one column's sums over the whole filtered set.
type Totals struct {
	Count              int   `json:"count"`
	ValueCents         int64 `json:"value_cents"`
	WeightedValueCents int64 `json:"weighted_value_cents"`
}

// CardPage is a card list answer: one column's page (stage_id given) or
// the first page of every column, with totals of every column.
type CardPage struct {
	Data       []*Card                     `json:"data"`
	Pagination httpx.Pagination            `json:"pagination"`
	Columns    map[string]httpx.Pagination `json:"columns,omitempty"`
	Totals     map[string]Totals           `json:"totals"`
	Seq        int64                       `json:"seq"`
}

// where builds the filtered set's conditions (alias c).
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) sql() string { return strings.Join(w.conds, " AND ") }

func (s *Service) filtered(v *viewer, boardID string, stages []*Stage, f Filter, now time.Time) *where {
	w := &where{}
	w.add("c.account_id = ?", v.accountID)
	if boardID != "" {
		w.add("c.board_id = ?", boardID)
	}
	if !v.all {
		if len(v.inboxes) == 0 {
			w.add("c.inbox_id IS NULL")
		} else {
			in := make([]string, len(v.inboxes))
			for i, id := range v.inboxes {
				in[i] = strconv.Itoa(id) // ints from our own table
			}
			w.add("(c.inbox_id IS NULL OR c.inbox_id IN (" + strings.Join(in, ", ") + "))")
		}
	}
	if f.Assignee != "" {
		w.add(`c.assignee_ids LIKE ? ESCAPE '\'`, likePattern(jsonText(f.Assignee)))
	}
	if f.Label != "" {
		w.add(`c.labels LIKE ? ESCAPE '\'`, likePattern(jsonText(f.Label)))
	}
	if f.Priority != "" {
		w.add("c.priority = ?", f.Priority)
	}
	if f.Status != "" {
		w.add("c.status = ?", f.Status)
	}
	if f.ContactID > 0 {
		w.add("c.contact_id = ?", f.ContactID)
	}
	local := now.In(f.Loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, f.Loc)
	switch f.Due {
	case "overdue":
		w.add("c.due_at < ? AND c.status = 'open'", now)
	case "today":
		w.add("c.due_at >= ? AND c.due_at < ?", today.UTC(), today.AddDate(0, 0, 1).UTC())
	case "week":
		w.add("c.due_at >= ? AND c.due_at < ?", today.UTC(), today.AddDate(0, 0, 7).UTC())
	case "none":
		w.add("c.due_at IS NULL")
	}
	if f.ValueMin != nil {
		w.add("c.value_cents >= ?", *f.ValueMin)
	}
	if f.ValueMax != nil {
		w.add("c.value_cents <= ?", *f.ValueMax)
	}
	if f.CreatedFrom != nil {
		w.add("c.created_at >= ?", *f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		w.add("c.created_at < ?", *f.CreatedTo)
	}
	if f.Q != "" {
		p := likePattern(strings.ToLower(f.Q))
		w.add(`(c.search LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM kanban_notes n WHERE n.account_id = c.account_id
			AND n.card_id = c.id AND n.search LIKE ? ESCAPE '\'))`, p, p)
	}
	if f.Stale != nil {
		var stale []string
		for _, st := range stages {
			if st.StaleAfterHours != nil && st.Kind == KindOpen {
				w.args = append(w.args, st.ID, now.Add(-time.Duration(*st.StaleAfterHours)*time.Hour))
				n := len(w.args)
				stale = append(stale, "(c.stage_id = $"+strconv.Itoa(n-1)+" AND c.stage_entered_at < $"+strconv.Itoa(n)+")")
			}
		}
		cond := "FALSE"
		if len(stale) > 0 {
			cond = "(" + strings.Join(stale, " OR ") + ")"
		}
		if !*f.Stale {
			cond = "NOT " + cond
		}
		w.conds = append(w.conds, cond)
	}
	return w
}

// markStale sets each card's stale flag from its stage.
func markStale(cards []*Card, stages []*Stage, now time.Time) {
	by := map[string]*Stage{}
	for _, st := range stages {
		by[st.ID] = st
	}
	for _, c := range cards {
		st := by[c.StageID]
		c.Stale = st != nil && st.Kind == KindOpen && st.StaleAfterHours != nil &&
			c.StageEnteredAt.Before(now.Add(-time.Duration(*st.StaleAfterHours)*time.Hour))
	}
}

// ListCards answers a board's cards: the page of one column when
// f.StageID is set (cursor), else the first page of every column; totals
// always cover every column of the whole filtered set. Everything, the
// sequence included, is read in one snapshot, so a client that subscribes
// with last_seq = seq misses nothing and counts nothing twice.
func (s *Service) ListCards(ctx context.Context, v *viewer, boardID string, f Filter, p httpx.PageParams, cursor string) (*CardPage, error) {
	if _, err := s.visibleBoard(ctx, v, boardID); err != nil {
		return nil, err
	}
	cur, err := parseCursor(cursor)
	if err != nil {
		return nil, err
	}
	if cur != nil && f.StageID == "" {
		return nil, httpx.Invalid(httpx.FieldError{Field: "cursor", Message: "page one column at a time: give its stage_id"})
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if s.DB.Dialect == db.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.DB.R.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	seq, err := realtime.Head(ctx, tx, v.accountID)
	if err != nil {
		return nil, err
	}
	stages, err := listStages(ctx, tx, v.accountID, boardID)
	if err != nil {
		return nil, err
	}
	if f.StageID != "" && findStage(stages, f.StageID) == nil {
		return nil, httpx.Invalid(httpx.FieldError{Field: "stage_id", Message: "must be a stage of this board"})
	}
	now := s.now()
	out := &CardPage{Data: []*Card{}, Totals: map[string]Totals{}, Seq: seq}
	for _, st := range stages {
		if f.StageID != "" && st.ID != f.StageID {
			continue
		}
		cards, pg, err := s.column(ctx, tx, v, boardID, stages, st.ID, f, p.Limit, cur, now)
		if err != nil {
			return nil, err
		}
		out.Data = append(out.Data, cards...)
		if f.StageID != "" {
			out.Pagination = pg
		} else {
			if out.Columns == nil {
				out.Columns = map[string]httpx.Pagination{}
			}
			out.Columns[st.ID] = pg
			out.Pagination.HasMore = out.Pagination.HasMore || pg.HasMore
		}
	}
	markStale(out.Data, stages, now)
	if out.Totals, err = s.totals(ctx, tx, v, boardID, stages, f, now); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) column(ctx context.Context, q db.Querier, v *viewer, boardID string, stages []*Stage, stageID string, f Filter, limit int,
	cur *columnCursor, now time.Time) ([]*Card, httpx.Pagination, error) {
	w := s.filtered(v, boardID, stages, f, now)
	w.add("c.stage_id = ?", stageID)
	if cur != nil {
		w.add("(c.position > ? OR (c.position = ? AND c.id > ?))", cur.Position, cur.Position, cur.ID)
	}
	query := `SELECT ` + prefixed(cardCols) + ` FROM kanban_cards c WHERE ` + w.sql() + ` ORDER BY c.position, c.id LIMIT ` + strconv.Itoa(limit+1)
	rows, err := q.QueryContext(ctx, query, w.args...)
	cards, err := db.Collect(rows, err, scanCard)
	if err != nil {
		return nil, httpx.Pagination{}, err
	}
	if cards == nil {
		cards = []*Card{}
	}
	var pg httpx.Pagination
	if len(cards) > limit {
		cards = cards[:limit]
		last := cards[len(cards)-1]
		pg = httpx.Pagination{HasMore: true, NextCursor: columnCursor{Position: last.Position, ID: last.ID}.encode()}
	}
	return cards, pg, nil
}

func (s *Service) totals(ctx context.Context, q db.Querier, v *viewer, boardID string, stages []*Stage, f Filter, now time.Time) (map[string]Totals, error) {
	ff := f
	ff.StageID = ""
	w := s.filtered(v, boardID, stages, ff, now)
	rows, err := q.QueryContext(ctx, `SELECT c.stage_id, count(*), COALESCE(SUM(c.value_cents), 0) FROM kanban_cards c
		WHERE `+w.sql()+` GROUP BY c.stage_id`, w.args...)
	type row struct {
		stage string
		t     Totals
	}
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (row, error) {
		var x row
		return x, r.Scan(&x.stage, &x.t.Count, &x.t.ValueCents)
	})
	if err != nil {
		return nil, err
	}
	out := map[string]Totals{}
	for _, st := range stages {
		out[st.ID] = Totals{}
	}
	for _, x := range list {
		if st := findStage(stages, x.stage); st != nil {
			x.t.WeightedValueCents = x.t.ValueCents * int64(st.WinProbability) / 100
		}
		out[x.stage] = x.t
	}
	return out, nil
}

// prefixed qualifies a column list with the alias c.
func prefixed(cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = "c." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
