package kanban

import (
	"database/sql"
	"net/http"
	"strconv"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

type stageInput struct {
	Name            opt[string]   `json:"name"`
	Color           opt[string]   `json:"color"`
	Kind            opt[string]   `json:"kind"`
	StaleAfterHours opt[int]      `json:"stale_after_hours"`
	WinProbability  opt[int]      `json:"win_probability"`
	WIPLimit        opt[int]      `json:"wip_limit"`
	RequiredFields  opt[[]string] `json:"required_fields"`
}

var requirable = []string{"value_cents", "due_at", "contact", "assignee_ids"}

func applyStage(st *Stage, in *stageInput, chk *checker, b *Board) {
	if in.Name.Set {
		st.Name = chk.text("name", in.Name.Value, 1, 80)
	}
	if in.Color.Set {
		if !colorRe.MatchString(in.Color.Value) {
			chk.add("color", "must be #RRGGBB")
		}
		st.Color = in.Color.Value
	}
	if in.Kind.Set {
		if !contains([]string{KindOpen, KindWon, KindLost}, in.Kind.Value) {
			chk.add("kind", "must be open, won or lost")
		}
		st.Kind = in.Kind.Value
	}
	nullableInt := func(field string, o opt[int], min, max int) *int {
		if o.Null {
			return nil
		}
		if o.Value < min || o.Value > max {
			chk.add(field, "must be from "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+", or null")
			return nil
		}
		v := o.Value
		return &v
	}
	if in.StaleAfterHours.Set {
		st.StaleAfterHours = nullableInt("stale_after_hours", in.StaleAfterHours, 1, 24*365)
	}
	if in.WIPLimit.Set {
		st.WIPLimit = nullableInt("wip_limit", in.WIPLimit, 1, 100000)
	}
	if in.WinProbability.Set {
		if in.WinProbability.Value < 0 || in.WinProbability.Value > 100 {
			chk.add("win_probability", "must be from 0 to 100")
		}
		st.WinProbability = in.WinProbability.Value
	}
	if in.RequiredFields.Set {
		st.RequiredFields = []string{}
		for _, f := range in.RequiredFields.Value {
			ok := contains(requirable, f)
			if b != nil {
				for _, d := range b.CustomFields {
					ok = ok || f == "custom_fields."+d.Key
				}
			}
			if !ok {
				chk.add("required_fields", "must name value_cents, due_at, contact, assignee_ids or custom_fields.<key>")
				break
			}
			if !contains(st.RequiredFields, f) {
				st.RequiredFields = append(st.RequiredFields, f)
			}
		}
	}
}

// stagesFrom builds a new board's stages; one open stage at least.
func stagesFrom(in []stageInput, chk *checker) []*Stage {
	if len(in) > 30 {
		chk.add("stages", "at most 30 stages")
		return nil
	}
	var out []*Stage
	open := false
	for i := range in {
		st := &Stage{Color: "#64748b", Kind: KindOpen, RequiredFields: []string{}}
		if !in[i].Name.Set {
			chk.add("stages", "every stage needs a name")
		}
		applyStage(st, &in[i], chk, nil)
		open = open || st.Kind == KindOpen
		out = append(out, st)
	}
	if !open {
		chk.add("stages", "a board needs at least one open stage")
	}
	return out
}

func (s *Service) configBoard(r *http.Request) (*Board, error) {
	if err := canConfigure(iam.AccessFrom(r.Context())); err != nil {
		return nil, err
	}
	v, err := s.viewerOf(r.Context())
	if err != nil {
		return nil, err
	}
	return s.visibleBoard(r.Context(), v, r.PathValue("boardID"))
}

// CreateStage adds a stage at the end of a board.
func (s *Service) CreateStage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in stageInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := s.configBoard(r)
	if err != nil {
		return err
	}
	st := &Stage{ID: db.NewID(), BoardID: b.ID, Color: "#64748b", Kind: KindOpen, RequiredFields: []string{}}
	chk := &checker{}
	if !in.Name.Set {
		chk.add("name", "is required")
	}
	applyStage(st, &in, chk, b)
	if err := chk.err(); err != nil {
		return err
	}
	err = s.write(ctx, iam.AccessFrom(r.Context()).AccountID, func(tx *sql.Tx, bt *batch) error {
		var last sql.NullFloat64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(position) FROM kanban_stages WHERE account_id = $1 AND board_id = $2`,
			iam.AccessFrom(r.Context()).AccountID, b.ID).Scan(&last); err != nil {
			return err
		}
		st.Position = last.Float64 + positionGap
		if err := insertStage(ctx, tx, iam.AccessFrom(r.Context()).AccountID, st, s.now()); err != nil {
			return err
		}
		bt.emit("stage.created", boardTopic(b.ID), "", st)
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, st)
	return nil
}

// UpdateStage changes a stage; a board keeps at least one open stage.
func (s *Service) UpdateStage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in stageInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := s.configBoard(r)
	if err != nil {
		return err
	}
	acct := iam.AccessFrom(r.Context()).AccountID
	var st *Stage
	err = s.write(ctx, acct, func(tx *sql.Tx, bt *batch) error {
		stages, err := listStages(ctx, tx, acct, b.ID)
		if err != nil {
			return err
		}
		st = findStage(stages, r.PathValue("stageID"))
		if st == nil {
			return httpx.NotFound()
		}
		oldKind := st.Kind
		chk := &checker{}
		applyStage(st, &in, chk, b)
		if err := chk.err(); err != nil {
			return err
		}
		if oldKind != st.Kind {
			if err := kindChangeOK(stages, st); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE kanban_cards SET status = $3 WHERE account_id = $1 AND stage_id = $2`,
				acct, st.ID, st.Kind); err != nil {
				return duplicateOpen(db.Translate(err))
			}
		}
		if err := updateStage(ctx, tx, acct, st, s.now()); err != nil {
			return err
		}
		bt.emit("stage.updated", boardTopic(b.ID), "", st)
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func kindChangeOK(stages []*Stage, changed *Stage) error {
	for _, x := range stages {
		if x.Kind == KindOpen && x.ID != changed.ID || x.ID == changed.ID && changed.Kind == KindOpen {
			return nil
		}
	}
	return httpx.E(httpx.CodeUnprocessable, "a board needs at least one open stage")
}

// DeleteStage removes an empty stage, or moves its cards to the end of
// ?target_stage_id= first.
func (s *Service) DeleteStage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	b, err := s.configBoard(r)
	if err != nil {
		return err
	}
	acct := iam.AccessFrom(r.Context()).AccountID
	target := r.URL.Query().Get("target_stage_id")
	err = s.write(ctx, acct, func(tx *sql.Tx, bt *batch) error {
		stages, err := listStages(ctx, tx, acct, b.ID)
		if err != nil {
			return err
		}
		st := findStage(stages, r.PathValue("stageID"))
		if st == nil {
			return httpx.NotFound()
		}
		rest := make([]*Stage, 0, len(stages))
		for _, x := range stages {
			if x.ID != st.ID {
				rest = append(rest, x)
			}
		}
		if err := kindChangeOK(rest, &Stage{}); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM kanban_cards WHERE account_id = $1 AND board_id = $3 AND stage_id = $2 ORDER BY position, id`, acct, st.ID, b.ID)
		ids, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			to := findStage(rest, target)
			if to == nil {
				return httpx.E(httpx.CodeUnprocessable, "the stage holds "+strconv.Itoa(len(ids))+" cards: give target_stage_id to move them",
					httpx.FieldError{Field: "target_stage_id", Message: "must be another stage of this board"})
			}
			v, err := s.viewerOf(ctx)
			if err != nil {
				return err
			}
			a := actorOf(r)
			for _, id := range ids {
				c, err := s.lockCard(ctx, tx, acct, b.ID, id)
				if err != nil {
					return err
				}
				reason := c.ClosedReason
				if to.Kind == KindLost && reason == "" {
					reason = "stage " + st.Name + " deleted"
				}
				vAll := *v
				vAll.all = true
				if _, err := s.moveLocked(ctx, tx, bt, &vAll, a, b, c, to, placement{}, reason); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kanban_stages WHERE account_id = $1 AND id = $2`, acct, st.ID); err != nil {
			return err
		}
		bt.emit("stage.deleted", boardTopic(b.ID), "", map[string]any{"board_id": b.ID, "stage_id": st.ID})
		return s.audit(ctx, tx, r, acct, "kanban.stage.deleted", b.ID, map[string]any{"stage_id": st.ID, "name": st.Name, "moved_cards": len(ids)})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ReorderStages sets the order of a board's stages: stage_ids lists all.
func (s *Service) ReorderStages(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var in struct {
		StageIDs []string `json:"stage_ids"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := s.configBoard(r)
	if err != nil {
		return err
	}
	acct := iam.AccessFrom(r.Context()).AccountID
	var out []*Stage
	err = s.write(ctx, acct, func(tx *sql.Tx, bt *batch) error {
		stages, err := listStages(ctx, tx, acct, b.ID)
		if err != nil {
			return err
		}
		if len(in.StageIDs) != len(stages) {
			return httpx.Invalid(httpx.FieldError{Field: "stage_ids", Message: "must list every stage of the board once"})
		}
		now := s.now()
		for i, id := range in.StageIDs {
			st := findStage(stages, id)
			if st == nil || contains(in.StageIDs[:i], id) {
				return httpx.Invalid(httpx.FieldError{Field: "stage_ids", Message: "must list every stage of the board once"})
			}
			st.Position = float64(i+1) * positionGap
			if err := updateStage(ctx, tx, acct, st, now); err != nil {
				return err
			}
			out = append(out, st)
		}
		bt.emit("stage.reordered", boardTopic(b.ID), "", map[string]any{"board_id": b.ID, "stages": out})
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}
