package kanban

import (
	"context"
	"database/sql"
	"net/http"
	"strings"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
	"github.com/whatpro/hub/internal/plan"
	"github.com/whatpro/hub/internal/realtime"
)

type boardInput struct {
	Name           opt[string]        `json:"name"`
	Description    opt[string]        `json:"description"`
	Currency       opt[string]        `json:"currency"`
	Visibility     opt[string]        `json:"visibility"`
	VisibleUserIDs opt[[]string]      `json:"visible_user_ids"`
	VisibleTeamIDs opt[[]int]         `json:"visible_team_ids"`
	EntryRule      opt[EntryRule]     `json:"entry_rule"`
	StageAttribute opt[string]        `json:"stage_attribute"`
	CustomFields   opt[[]CustomField] `json:"custom_fields"`
	Stages         []stageInput       `json:"stages"`
	Version        opt[int64]         `json:"version"`
}

// applyBoard copies in onto b, collecting field errors.
func (s *Service) applyBoard(ctx context.Context, accountID string, b *Board, in *boardInput, chk *checker) {
	if in.Name.Set {
		b.Name = chk.text("name", in.Name.Value, 1, 120)
	}
	if in.Description.Set {
		b.Description = chk.text("description", in.Description.Value, 0, 2000)
	}
	if in.Currency.Set {
		if !currencyRe.MatchString(in.Currency.Value) {
			chk.add("currency", "must be an ISO 4217 code such as BRL")
		}
		b.Currency = in.Currency.Value
	}
	if in.Visibility.Set {
		if in.Visibility.Value != "all" && in.Visibility.Value != "selected" {
			chk.add("visibility", "must be all or selected")
		}
		b.Visibility = in.Visibility.Value
	}
	if in.VisibleUserIDs.Set {
		b.VisibleUserIDs = chk.list("visible_user_ids", in.VisibleUserIDs.Value, 500, 64)
		members(ctx, s.DB.R, accountID, b.VisibleUserIDs, chk)
	}
	if in.VisibleTeamIDs.Set {
		b.VisibleTeamIDs = s.checkTeams(ctx, accountID, in.VisibleTeamIDs.Value, chk)
	}
	if in.EntryRule.Set {
		r := in.EntryRule.Value
		if len(r.InboxIDs) > 500 {
			chk.add("entry_rule.inbox_ids", "at most 500 inboxes")
		}
		for _, id := range r.InboxIDs {
			if id <= 0 {
				chk.add("entry_rule.inbox_ids", "must be Chatwoot inbox ids")
				break
			}
		}
		if r.InboxIDs == nil {
			r.InboxIDs = []int{}
		}
		b.EntryRule = r
	}
	if in.StageAttribute.Set {
		v := strings.TrimSpace(in.StageAttribute.Value)
		if v != "" && !fieldKeyRe.MatchString(v) {
			chk.add("stage_attribute", "must be a Chatwoot attribute key (lower case, digits, _), or empty to stop mirroring")
		}
		b.StageAttribute = v
	}
	if in.CustomFields.Set {
		checkBoardFields(in.CustomFields.Value, chk)
		b.CustomFields = in.CustomFields.Value
		if b.CustomFields == nil {
			b.CustomFields = []CustomField{}
		}
	}
}

func canConfigure(acc *iam.Access) error {
	if acc.Role != iam.RoleAdmin && acc.Role != iam.RoleSupervisor {
		return httpx.E(httpx.CodeForbidden, "only admins and supervisors configure boards")
	}
	return nil
}

// ListBoards answers the boards the caller sees (creating the default
// board on first use).
func (s *Service) ListBoards(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	if err := s.EnsureDefaultBoard(r.Context(), v.accountID); err != nil {
		return err
	}
	seq, err := realtime.Head(r.Context(), s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	all, err := listBoards(r.Context(), s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	out := []*Board{}
	for _, b := range all {
		if v.seesBoard(b) {
			out = append(out, b)
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out, "pagination": httpx.Pagination{}, "seq": seq})
	return nil
}

// GetBoard answers a board with its stages and the sequence to subscribe
// from.
func (s *Service) GetBoard(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return err
	}
	seq, err := realtime.Head(r.Context(), s.DB.R, v.accountID)
	if err != nil {
		return err
	}
	b, err := s.visibleBoard(r.Context(), v, r.PathValue("boardID"))
	if err != nil {
		return err
	}
	if b.Stages, err = listStages(r.Context(), s.DB.R, v.accountID, b.ID); err != nil {
		return err
	}
	b.Seq = &seq
	httpx.WriteJSON(w, http.StatusOK, b)
	return nil
}

// CreateBoard adds a board (max_boards of the plan), with the given
// stages or the default ones.
func (s *Service) CreateBoard(w http.ResponseWriter, r *http.Request) error {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	if err := canConfigure(acc); err != nil {
		return err
	}
	var in boardInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	now := s.now()
	_, currency, defaults := defaultStages(accountLocale(ctx, s.DB.R, acc.AccountID))
	b := &Board{ID: db.NewID(), Currency: currency, Visibility: "all", VisibleUserIDs: []string{}, VisibleTeamIDs: []int{}, EntryRule: EntryRule{InboxIDs: []int{}},
		CustomFields: []CustomField{}, Version: 1, CreatedAt: now, UpdatedAt: now}
	chk := &checker{}
	if !in.Name.Set {
		chk.add("name", "is required")
	}
	s.applyBoard(ctx, acc.AccountID, b, &in, chk)
	var stages []*Stage
	if len(in.Stages) == 0 {
		for i := range defaults {
			st := defaults[i]
			stages = append(stages, &st)
		}
	} else {
		stages = stagesFrom(in.Stages, chk)
	}
	if err := chk.err(); err != nil {
		return err
	}
	for i, st := range stages {
		st.ID, st.BoardID, st.Position = db.NewID(), b.ID, float64(i+1)*positionGap
		if st.RequiredFields == nil {
			st.RequiredFields = []string{}
		}
	}
	b.Stages = stages
	err := s.write(ctx, acc.AccountID, func(tx *sql.Tx, bt *batch) error {
		if err := s.Plans.Reserve(ctx, tx, acc.AccountID, plan.MaxBoards); err != nil {
			return err
		}
		if err := insertBoard(ctx, tx, acc.AccountID, b); err != nil {
			return err
		}
		for _, st := range stages {
			if err := insertStage(ctx, tx, acc.AccountID, st, now); err != nil {
				return err
			}
		}
		bt.emit("board.created", topicBoards, boardScope(b), b)
		return s.audit(ctx, tx, r, acc.AccountID, "kanban.board.created", b.ID, map[string]any{"name": b.Name})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Service) audit(ctx context.Context, tx *sql.Tx, r *http.Request, accountID, action, id string, after any) error {
	if s.IAM == nil || s.IAM.Audit == nil {
		return nil
	}
	e := s.IAM.Entry(r, accountID, action, "kanban_board", id)
	e.After = after
	return s.IAM.Audit.Record(ctx, tx, e)
}

// UpdateBoard changes a board's settings (version optional, 409 when
// stale).
func (s *Service) UpdateBoard(w http.ResponseWriter, r *http.Request) error {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	if err := canConfigure(acc); err != nil {
		return err
	}
	var in boardInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Stages) > 0 {
		return httpx.Invalid(httpx.FieldError{Field: "stages", Message: "change stages through …/stages"})
	}
	v, err := s.viewerOf(ctx)
	if err != nil {
		return err
	}
	b, err := s.visibleBoard(ctx, v, r.PathValue("boardID"))
	if err != nil {
		return err
	}
	chk := &checker{}
	s.applyBoard(ctx, acc.AccountID, b, &in, chk)
	if err := chk.err(); err != nil {
		return err
	}
	err = s.write(ctx, acc.AccountID, func(tx *sql.Tx, bt *batch) error {
		cur, err := getBoard(ctx, tx, acc.AccountID, b.ID)
		if err != nil {
			return err
		}
		if in.Version.Set && in.Version.Value != cur.Version {
			return httpx.E(httpx.CodeConflict, "the board changed since you read it (version "+itoa64(cur.Version)+")")
		}
		b.Version, b.UpdatedAt = cur.Version+1, s.now()
		if err := updateBoard(ctx, tx, acc.AccountID, b); err != nil {
			return err
		}
		bt.emit("board.updated", topicBoards, boardScope(b), b)
		bt.emit("board.updated", boardTopic(b.ID), "", b)
		if boardScope(cur) != boardScope(b) && boardScope(cur) != "all" {
			// Viewers who lost the board hear that it is gone for them.
			bt.emit("board.deleted", topicBoards, lostScope(boardScope(cur), boardScope(b)), map[string]any{"board_id": b.ID, "hidden": true})
		}
		return s.audit(ctx, tx, r, acc.AccountID, "kanban.board.updated", b.ID, map[string]any{"name": b.Name, "visibility": b.Visibility,
			"visible_team_ids": b.VisibleTeamIDs})
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, b)
	return nil
}

// DeleteBoard removes a board with its stages, cards and notes; the
// default board stays (every inbox enters it).
func (s *Service) DeleteBoard(w http.ResponseWriter, r *http.Request) error {
	ctx, acc := r.Context(), iam.AccessFrom(r.Context())
	if err := canConfigure(acc); err != nil {
		return err
	}
	v, err := s.viewerOf(ctx)
	if err != nil {
		return err
	}
	b, err := s.visibleBoard(ctx, v, r.PathValue("boardID"))
	if err != nil {
		return err
	}
	if b.IsDefault {
		return httpx.E(httpx.CodeUnprocessable, "the default board cannot be deleted")
	}
	err = s.write(ctx, acc.AccountID, func(tx *sql.Tx, bt *batch) error {
		for _, q := range []string{
			`DELETE FROM kanban_notes WHERE account_id = $1 AND card_id IN (SELECT id FROM kanban_cards WHERE account_id = $1 AND board_id = $2)`,
			`DELETE FROM kanban_cards WHERE account_id = $1 AND board_id = $2`,
			`DELETE FROM kanban_stages WHERE account_id = $1 AND board_id = $2`,
			`DELETE FROM kanban_boards WHERE account_id = $1 AND id = $2`,
		} {
			if _, err := tx.ExecContext(ctx, q, acc.AccountID, b.ID); err != nil {
				return err
			}
		}
		bt.emit("board.deleted", topicBoards, boardScope(b), map[string]any{"board_id": b.ID})
		bt.emit("board.deleted", boardTopic(b.ID), "", map[string]any{"board_id": b.ID})
		return s.audit(ctx, tx, r, acc.AccountID, "kanban.board.deleted", b.ID, map[string]any{"name": b.Name})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
