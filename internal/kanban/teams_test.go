package kanban_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// A board selected for a Chatwoot team: its members see it and hear its
// events; other agents get 404 and none of its events; admins see all.
func TestVisibilityByTeam(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		def := e.defaultBoard(t, tok)
		inTeam := e.h.NewMember(tok, e.tenant.ID, "agent")
		outsider := e.h.NewMember(tok, e.tenant.ID, "agent")
		// Memberships as SSO records them (Chatwoot team 5).
		e.h.Exec(`INSERT INTO chatwoot_team_members (account_id, user_id, team_id, synced_at) VALUES ($1, $2, 5, $3)`,
			e.tenant.ID, inTeam.UserID, time.Now().UTC())
		var b struct {
			board
			VisibleTeamIDs []int `json:"visible_team_ids"`
		}
		e.do(t, tok, "POST", e.path("/boards"), map[string]any{"name": "Equipe Vendas", "visibility": "selected",
			"visible_team_ids": []int{5, 5, 3}}).Expect(t, 201).Decode(t, &b)
		if !slices.Equal(b.VisibleTeamIDs, []int{3, 5}) {
			t.Fatalf("visible_team_ids = %v, want sorted without repeats", b.VisibleTeamIDs)
		}

		e.do(t, inTeam.Token, "GET", e.path("/boards/"+b.ID), nil).Expect(t, 200)
		e.do(t, outsider.Token, "GET", e.path("/boards/"+b.ID), nil).ExpectError(t, 404, "NOT_FOUND")
		e.do(t, outsider.Token, "GET", e.path("/boards/"+b.ID+"/cards"), nil).ExpectError(t, 404, "NOT_FOUND")
		listed := func(token string) []string {
			var out struct{ Data []board }
			e.do(t, token, "GET", e.path("/boards"), nil).Expect(t, 200).Decode(t, &out)
			var ids []string
			for _, x := range out.Data {
				ids = append(ids, x.ID)
			}
			return ids
		}
		if !slices.Contains(listed(inTeam.Token), b.ID) || slices.Contains(listed(outsider.Token), b.ID) || !slices.Contains(listed(tok), b.ID) {
			t.Fatalf("board lists: team %v, outsider %v", listed(inTeam.Token), listed(outsider.Token))
		}

		member := connect(t, e.h, inTeam.Token, e.tenant.ID)
		member.subscribe([]string{"boards", "board:" + b.ID, "board:" + def.ID}, nil)
		out := connect(t, e.h, outsider.Token, e.tenant.ID)
		out.send(map[string]any{"type": "subscribe", "topics": []string{"board:" + b.ID}})
		if m := out.next(); m.Type != "error" || m.Code != "NOT_FOUND" {
			t.Fatalf("outsider subscribing to the team board: %+v", m)
		}
		out.subscribe([]string{"boards", "board:" + def.ID}, nil)

		// The team board's events reach its member...
		e.do(t, tok, "PATCH", e.path("/boards/"+b.ID), map[string]any{"description": "Só a equipe"}).Expect(t, 200)
		c := e.createCard(t, tok, b.ID, map[string]any{"title": "Deal da equipe"})
		if m, _ := member.until(isEvent("board.updated")); !json.Valid(m.Data) {
			t.Fatalf("board.updated: %+v", m)
		}
		if got, _ := member.until(isEvent("card.created")); eventCard(t, got).ID != c.ID {
			t.Fatalf("member's card.created is %s, want %s", got.Data, c.ID)
		}
		// ...and not the outsider: its next event is the default board's.
		other := e.createCard(t, tok, def.ID, map[string]any{"title": "Deal de todos"})
		if m := out.next(); m.Type != "event" || m.Event != "card.created" || eventCard(t, m).ID != other.ID {
			t.Fatalf("outsider's first event: %+v %s", m, m.Data)
		}

		// Dropping the team from the board hides it from the member at once.
		e.do(t, tok, "PATCH", e.path("/boards/"+b.ID), map[string]any{"visible_team_ids": []int{3}}).Expect(t, 200)
		e.do(t, inTeam.Token, "GET", e.path("/boards/"+b.ID), nil).ExpectError(t, 404, "NOT_FOUND")
		e.createCard(t, tok, b.ID, map[string]any{"title": "Depois"})
		e.do(t, tok, "PATCH", e.path("/boards/"+def.ID), map[string]any{"description": "geral"}).Expect(t, 200)
		for {
			m := member.next()
			if m.Type == "event" && m.Event == "card.created" && eventCard(t, m).BoardID == b.ID {
				t.Fatalf("the member heard a card of a board hidden from it: %s", m.Data)
			}
			if m.Type == "event" && m.Event == "board.updated" && json.Valid(m.Data) && boardID(t, m) == def.ID {
				break
			}
		}

		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "team ids are positive", Method: "PATCH", Path: e.path("/boards/" + b.ID), Header: apptest.Bearer(tok),
				Body: map[string]any{"visible_team_ids": []int{0}}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{"visible_team_ids"}},
			{Name: "team ids are integers", Method: "PATCH", Path: e.path("/boards/" + b.ID), Header: apptest.Bearer(tok),
				Body: map[string]any{"visible_team_ids": []string{"vendas"}}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "at most 100 teams", Method: "PATCH", Path: e.path("/boards/" + b.ID), Header: apptest.Bearer(tok),
				Body: map[string]any{"visible_team_ids": manyIDs(101)}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{"visible_team_ids"}},
		})
		var after struct {
			VisibleTeamIDs []int `json:"visible_team_ids"`
		}
		e.do(t, tok, "GET", e.path("/boards/"+b.ID), nil).Expect(t, 200).Decode(t, &after)
		if !slices.Equal(after.VisibleTeamIDs, []int{3}) {
			t.Fatalf("a refused change was written: %v", after.VisibleTeamIDs)
		}
	})
}

func manyIDs(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func boardID(t testing.TB, m msg) string {
	t.Helper()
	var b struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(m.Data, &b); err != nil {
		t.Fatal(err)
	}
	return b.ID
}

// Narrowing a board's audience tells only those who lost it that it is
// gone: a person still listed hears board.updated and never board.deleted.
func TestNarrowingABoardTellsOnlyThoseWhoLostIt(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		def := e.defaultBoard(t, tok)
		kept := e.h.NewMember(tok, e.tenant.ID, "agent")
		lost := e.h.NewMember(tok, e.tenant.ID, "agent")
		var b board
		e.do(t, tok, "POST", e.path("/boards"), map[string]any{"name": "Dupla", "visibility": "selected",
			"visible_user_ids": []string{kept.UserID, lost.UserID}}).Expect(t, 201).Decode(t, &b)
		keptWS := connect(t, e.h, kept.Token, e.tenant.ID)
		keptWS.subscribe([]string{"boards"}, nil)
		lostWS := connect(t, e.h, lost.Token, e.tenant.ID)
		lostWS.subscribe([]string{"boards"}, nil)

		e.do(t, tok, "PATCH", e.path("/boards/"+b.ID), map[string]any{"visible_user_ids": []string{kept.UserID}}).Expect(t, 200)
		// A later change every agent hears closes what each may have heard.
		e.do(t, tok, "PATCH", e.path("/boards/"+def.ID), map[string]any{"description": "geral"}).Expect(t, 200)
		heard := func(ws *socket) (updated, deleted bool) {
			for {
				m := ws.next()
				if m.Type != "event" {
					continue
				}
				if m.Event == "board.updated" && boardID(t, m) == def.ID {
					return
				}
				var d struct {
					ID      string `json:"id"`
					BoardID string `json:"board_id"`
				}
				_ = json.Unmarshal(m.Data, &d)
				switch {
				case m.Event == "board.updated" && d.ID == b.ID:
					updated = true
				case m.Event == "board.deleted" && d.BoardID == b.ID:
					deleted = true
				}
			}
		}
		if updated, deleted := heard(keptWS); !updated || deleted {
			t.Fatalf("the person still listed heard updated=%v deleted=%v, want the update only", updated, deleted)
		}
		if updated, deleted := heard(lostWS); updated || !deleted {
			t.Fatalf("the person taken off heard updated=%v deleted=%v, want that it is gone only", updated, deleted)
		}
	})
}
