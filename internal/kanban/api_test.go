package kanban_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// The board API on both databases: the default board, cards with fields,
// moves with versions, won/lost, notes, history, totals, export, limits.
func TestBoardAPI(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		b := e.defaultBoard(t, tok)
		if len(b.Stages) != 6 || b.Stages[0].Name != "Novo lead" || b.Stages[4].Kind != "won" || b.Stages[5].Kind != "lost" {
			t.Fatalf("default board stages: %+v", b.Stages)
		}
		// Listing again creates no second default board.
		e.defaultBoard(t, tok)
		if n := e.h.Count(`SELECT count(*) FROM kanban_boards WHERE account_id = $1`, e.tenant.ID); n != 1 {
			t.Fatalf("%d boards after two first uses", n)
		}
		open, second, won, lost := b.Stages[0], b.Stages[1], b.Stages[4], b.Stages[5]
		agent := e.h.NewMember(tok, e.tenant.ID, "agent")
		a := e.createCard(t, tok, b.ID, map[string]any{"title": "Plano anual", "value_cents": 100000, "priority": "high",
			"labels": []string{"vip", "vip", "novo"}, "assignee_ids": []string{agent.UserID}, "due_at": "2030-01-01T12:00:00Z"})
		if a.StageID != open.ID || a.Version != 1 || a.Status != "open" || len(a.Labels) != 2 {
			t.Fatalf("created card: %+v", a)
		}
		c2 := e.createCard(t, tok, b.ID, map[string]any{"title": "Segundo", "value_cents": 5000})
		c3 := e.createCard(t, tok, b.ID, map[string]any{"title": "Terceiro", "stage_id": second.ID, "value_cents": 20000})

		base := "/boards/" + b.ID
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "title required", Method: "POST", Path: e.path(base + "/cards"), Header: apptest.Bearer(tok), Body: map[string]any{},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"title"`}},
			{Name: "bad fields named", Method: "POST", Path: e.path(base + "/cards"), Header: apptest.Bearer(tok),
				Body: map[string]any{"title": "x", "priority": "whenever", "currency": "real", "value_cents": -1, "due_at": "tomorrow",
					"assignee_ids": []string{"nobody"}},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"priority"`, `"currency"`, `"value_cents"`, `"due_at"`, `"assignee_ids"`}},
			{Name: "unknown field", Method: "POST", Path: e.path(base + "/cards"), Header: apptest.Bearer(tok),
				Body: map[string]any{"title": "x", "colour": "red"}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "move needs a version", Method: "POST", Path: e.path(base + "/cards/" + a.ID + "/move"), Header: apptest.Bearer(tok),
				Body: map[string]any{"stage_id": second.ID}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"version"`}},
			{Name: "foreign stage", Method: "POST", Path: e.path(base + "/cards/" + a.ID + "/move"), Header: apptest.Bearer(tok),
				Body: map[string]any{"stage_id": "x", "version": 1}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "lost needs a reason", Method: "POST", Path: e.path(base + "/cards/" + a.ID + "/lost"), Header: apptest.Bearer(tok),
				Body: map[string]any{"version": 1}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"reason"`}},
			{Name: "move to lost needs a reason", Method: "POST", Path: e.path(base + "/cards/" + a.ID + "/move"), Header: apptest.Bearer(tok),
				Body: map[string]any{"stage_id": lost.ID, "version": 1}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "agents do not configure boards", Method: "POST", Path: e.path("/boards"), Header: apptest.Bearer(agent.Token),
				Body: map[string]any{"name": "Mine"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "no card of another board", Method: "GET", Path: e.path("/boards/" + b.ID + "/cards/nope"), Header: apptest.Bearer(tok),
				Status: 404, Code: "NOT_FOUND"},
		})

		// Move a before c2 in the first column, then to the second stage
		// after c3; a stale version answers 409 with the current card.
		r := e.move(t, tok, b.ID, a, map[string]any{"stage_id": open.ID, "after_id": c2.ID}).Expect(t, 200)
		var moved card
		r.Decode(t, &moved)
		if moved.Version != 2 || moved.Position <= c2.Position {
			t.Fatalf("after c2: %+v (c2 at %v)", moved, c2.Position)
		}
		stale := e.move(t, tok, b.ID, a, map[string]any{"stage_id": second.ID}).ExpectError(t, http.StatusConflict, "CONFLICT")
		var conflict struct {
			Card card `json:"card"`
		}
		stale.Decode(t, &conflict)
		if conflict.Card.ID != a.ID || conflict.Card.Version != 2 {
			t.Fatalf("409 body: %s", stale.Body)
		}
		e.move(t, tok, b.ID, moved, map[string]any{"stage_id": second.ID, "before_id": c3.ID}).Expect(t, 200).Decode(t, &moved)
		p := e.list(t, tok, b.ID, "?stage_id="+second.ID)
		if len(p.Data) != 2 || p.Data[0].ID != a.ID || p.Data[1].ID != c3.ID {
			t.Fatalf("second column order: %+v", p.Data)
		}

		// Totals over the whole filtered set, weighted by stage probability.
		all := e.list(t, tok, b.ID, "")
		if all.Totals[second.ID] != (totals{Count: 2, ValueCents: 120000, WeightedValueCents: 30000}) ||
			all.Totals[open.ID] != (totals{Count: 1, ValueCents: 5000, WeightedValueCents: 500}) || all.Totals[won.ID].Count != 0 {
			t.Fatalf("totals: %+v", all.Totals)
		}
		if len(all.Columns) != 6 || len(all.Data) != 3 {
			t.Fatalf("first page of every column: %d cards, %d columns", len(all.Data), len(all.Columns))
		}
		filtered := e.list(t, tok, b.ID, "?label=vip&priority=high&value_min=50000&q=ANUAL")
		if len(filtered.Data) != 1 || filtered.Data[0].ID != a.ID || filtered.Totals[second.ID].Count != 1 {
			t.Fatalf("filtered: %+v totals %+v", filtered.Data, filtered.Totals)
		}
		e.do(t, agent.Token, "GET", e.path("/boards/"+b.ID+"/cards?assignee=me"), nil).Expect(t, 200).Decode(t, &filtered)
		if len(filtered.Data) != 1 || filtered.Data[0].ID != a.ID {
			t.Fatalf("assignee=me: %+v", filtered.Data)
		}
		e.do(t, tok, "GET", e.path("/boards/"+b.ID+"/cards?due=sometime"), nil).ExpectError(t, 400, "VALIDATION_ERROR")

		// Notes are searched too; history records what happened.
		var note struct {
			ID string `json:"id"`
		}
		e.do(t, tok, "POST", e.path(base+"/cards/"+c2.ID+"/notes"), map[string]any{"body": "Cliente pediu desconto"}).Expect(t, 201).Decode(t, &note)
		if got := e.list(t, tok, b.ID, "?q=desconto"); len(got.Data) != 1 || got.Data[0].ID != c2.ID {
			t.Fatalf("q matches notes: %+v", got.Data)
		}
		e.do(t, agent.Token, "PATCH", e.path(base+"/cards/"+c2.ID+"/notes/"+note.ID), map[string]any{"body": "x"}).ExpectError(t, 403, "FORBIDDEN")
		e.do(t, tok, "PATCH", e.path(base+"/cards/"+c2.ID+"/notes/"+note.ID), map[string]any{"body": "Desconto de 10%"}).Expect(t, 200)

		// Won and lost; lost keeps its reason; reopening clears it.
		e.do(t, tok, "POST", e.path(base+"/cards/"+c3.ID+"/lost"), map[string]any{"version": c3.Version, "reason": "Preço"}).Expect(t, 200).Decode(t, &c3)
		if c3.Status != "lost" || c3.StageID != lost.ID || c3.ClosedReason != "Preço" {
			t.Fatalf("lost: %+v", c3)
		}
		e.move(t, tok, b.ID, c3, map[string]any{"stage_id": open.ID}).Expect(t, 200).Decode(t, &c3)
		if c3.Status != "open" || c3.ClosedReason != "" {
			t.Fatalf("reopened: %+v", c3)
		}
		e.do(t, tok, "POST", e.path(base+"/cards/"+c2.ID+"/won"), map[string]any{"version": c2.Version}).Expect(t, 200)
		var hist struct {
			Data []struct {
				Action string `json:"action"`
			} `json:"data"`
		}
		e.do(t, tok, "GET", e.path(base+"/cards/"+c3.ID+"/history"), nil).Expect(t, 200).Decode(t, &hist)
		var actions []string
		for _, h := range hist.Data {
			actions = append(actions, h.Action)
		}
		if strings.Join(actions, ",") != "created,lost,reopened" {
			t.Fatalf("history: %v", actions)
		}

		// Bulk move, all or nothing.
		var bulk struct {
			Data []card `json:"data"`
		}
		e.do(t, tok, "POST", e.path(base+"/cards/bulk-move"), map[string]any{"card_ids": []string{a.ID, c3.ID, "nope"}, "stage_id": won.ID}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		e.do(t, tok, "POST", e.path(base+"/cards/bulk-move"), map[string]any{"card_ids": []string{a.ID, c3.ID}, "stage_id": won.ID}).
			Expect(t, 200).Decode(t, &bulk)
		if len(bulk.Data) != 2 || bulk.Data[0].Status != "won" || bulk.Data[1].Position <= bulk.Data[0].Position {
			t.Fatalf("bulk: %+v", bulk.Data)
		}

		// CSV export of the filtered set, formula-safe.
		e.createCard(t, tok, b.ID, map[string]any{"title": "=HYPERLINK(\"http://evil\")"})
		csv := e.do(t, tok, "GET", e.path(base+"/export.csv"), nil).Expect(t, 200)
		if !strings.Contains(string(csv.Body), `'=HYPERLINK`) || !strings.Contains(string(csv.Body), "Plano anual") ||
			!strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %s", csv.Body)
		}

		// Delete a card; its history stays.
		e.do(t, tok, "DELETE", e.path(base+"/cards/"+a.ID), nil).Expect(t, 204)
		e.do(t, tok, "GET", e.path(base+"/cards/"+a.ID), nil).ExpectError(t, 404, "NOT_FOUND")
		if n := e.h.Count(`SELECT count(*) FROM kanban_card_history WHERE card_id = $1 AND action = 'deleted'`, a.ID); n != 1 {
			t.Fatal("no history of the deletion")
		}
	})
}

// Boards: custom fields typed per board, visibility, stage rules, the
// plan's max_boards, stage deletion with a target.
func TestBoardSettings(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		e.defaultBoard(t, tok)
		agent := e.h.NewMember(tok, e.tenant.ID, "agent")
		other := e.h.NewMember(tok, e.tenant.ID, "agent")
		var b board
		e.do(t, tok, "POST", e.path("/boards"), map[string]any{"name": "Pós-venda", "visibility": "selected",
			"visible_user_ids": []string{agent.UserID},
			"custom_fields": []map[string]any{{"key": "plano", "label": "Plano", "type": "select", "options": []string{"basic", "pro"}},
				{"key": "seats", "label": "Seats", "type": "number"}},
			"stages": []map[string]any{{"name": "Onboarding", "wip_limit": 1, "required_fields": []string{}},
				{"name": "Ativo", "stale_after_hours": 1}, {"name": "Churn", "kind": "lost"}}}).Expect(t, 201).Decode(t, &b)
		// The other agent does not see it; the chosen one does.
		e.do(t, other.Token, "GET", e.path("/boards/"+b.ID), nil).ExpectError(t, 404, "NOT_FOUND")
		e.do(t, agent.Token, "GET", e.path("/boards/"+b.ID), nil).Expect(t, 200)
		c := e.createCard(t, agent.Token, b.ID, map[string]any{"title": "Cliente", "custom_fields": map[string]any{"plano": "pro", "seats": 3}})
		if c.CustomFields["plano"] != "pro" {
			t.Fatalf("custom fields: %+v", c.CustomFields)
		}
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "typed fields", Method: "POST", Path: e.path("/boards/" + b.ID + "/cards"), Header: apptest.Bearer(tok),
				Body:   map[string]any{"title": "x", "custom_fields": map[string]any{"plano": "gold", "seats": "three", "nope": 1}},
				Status: 400, Code: "VALIDATION_ERROR", Contains: []string{"custom_fields.plano", "custom_fields.seats", "custom_fields.nope"}},
			{Name: "WIP limit", Method: "POST", Path: e.path("/boards/" + b.ID + "/cards"), Header: apptest.Bearer(tok),
				Body: map[string]any{"title": "y"}, Status: 422, Code: "LIMIT_EXCEEDED"},
			{Name: "no board without an open stage", Method: "POST", Path: e.path("/boards"), Header: apptest.Bearer(tok),
				Body: map[string]any{"name": "x", "stages": []map[string]any{{"name": "W", "kind": "won"}}}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "stage with cards needs a target", Method: "DELETE", Path: e.path("/boards/" + b.ID + "/stages/" + c.StageID),
				Header: apptest.Bearer(tok), Status: 422, Code: "UNPROCESSABLE"},
			{Name: "default board stays", Method: "DELETE", Path: e.path("/boards/" + e.defaultBoard(t, tok).ID), Header: apptest.Bearer(tok),
				Status: 422, Code: "UNPROCESSABLE"},
		})
		var full board
		e.do(t, tok, "GET", e.path("/boards/"+b.ID), nil).Expect(t, 200).Decode(t, &full)
		e.do(t, tok, "DELETE", e.path("/boards/"+b.ID+"/stages/"+c.StageID+"?target_stage_id="+full.Stages[1].ID), nil).Expect(t, 204)
		var got card
		e.do(t, tok, "GET", e.path("/boards/"+b.ID+"/cards/"+c.ID), nil).Expect(t, 200).Decode(t, &got)
		if got.StageID != full.Stages[1].ID {
			t.Fatalf("card not moved to the target: %+v", got)
		}
		// Reorder lists every stage once.
		e.do(t, tok, "POST", e.path("/boards/"+b.ID+"/stages/reorder"), map[string]any{"stage_ids": []string{full.Stages[2].ID}}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		e.do(t, tok, "POST", e.path("/boards/"+b.ID+"/stages/reorder"), map[string]any{"stage_ids": []string{full.Stages[2].ID, full.Stages[1].ID}}).
			Expect(t, 200)

		// max_boards from the plan.
		e.do(t, e.super.Token, "PUT", e.path("/plan"), map[string]any{"plan_id": "default", "overrides": map[string]int{"max_boards": 2}}).Expect(t, 200)
		r := e.do(t, tok, "POST", e.path("/boards"), map[string]any{"name": "Third"}).ExpectError(t, 422, "LIMIT_EXCEEDED")
		if !strings.Contains(string(r.Body), `"limit":2`) {
			t.Fatalf("limit answer: %s", r.Body)
		}
		// The kanban feature gates every route.
		e.do(t, e.super.Token, "PUT", e.path("/features"), map[string]any{"kanban": false}).Expect(t, 200)
		e.do(t, tok, "GET", e.path("/boards"), nil).ExpectError(t, 403, "FEATURE_DISABLED")
	})
}

func decodeJSON(t *testing.T, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

// Agents read who may be assigned (id and name, active members only),
// though they may not list the account's users.
func TestMembers(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		agent := e.h.NewMember(tok, e.tenant.ID, "agent")
		gone := e.h.NewMember(tok, e.tenant.ID, "agent")
		e.h.Exec(`UPDATE memberships SET status = 'disabled' WHERE account_id = $1 AND user_id = $2`, e.tenant.ID, gone.UserID)
		other := e.h.NewTenant(e.super, "Other")
		e.h.NewMember(other.Admin.Token, other.ID, "agent")

		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "agents may not list users", Method: "GET", Path: e.path("/users"), Header: apptest.Bearer(agent.Token), Status: 403, Code: "FORBIDDEN"},
			{Name: "no credentials", Method: "GET", Path: e.path("/kanban/members"), Status: 401, Code: "UNAUTHORIZED"},
		})
		var out struct {
			Data []map[string]any `json:"data"`
		}
		e.do(t, agent.Token, "GET", e.path("/kanban/members"), nil).Expect(t, 200).Decode(t, &out)
		got := map[string]bool{}
		for _, m := range out.Data {
			if len(m) != 2 || m["name"] == "" {
				t.Errorf("a member carries more than id and name: %v", m)
			}
			got[m["id"].(string)] = true
		}
		if len(out.Data) != 2 || !got[agent.UserID] || !got[e.tenant.Admin.UserID] || got[gone.UserID] {
			t.Fatalf("members = %v; want the admin and the active agent only", out.Data)
		}
	})
}
