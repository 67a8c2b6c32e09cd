package kanban_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Concurrent moves of one card with the same version: exactly one wins,
// the others get 409 with the card as it is now.
func TestConcurrentMoves(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		b := e.defaultBoard(t, tok)
		c := e.createCard(t, tok, b.ID, map[string]any{"title": "Disputado"})
		var wg sync.WaitGroup
		statuses := make([]int, 16)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := b.Stages[1+i%3]
				statuses[i] = e.move(t, tok, b.ID, c, map[string]any{"stage_id": st.ID}).Status
			}()
		}
		wg.Wait()
		won, lost := 0, 0
		for _, s := range statuses {
			switch s {
			case 200:
				won++
			case 409:
				lost++
			}
		}
		if won != 1 || lost != len(statuses)-1 {
			t.Fatalf("statuses %v: want one 200 and the rest 409", statuses)
		}
		var now card
		e.do(t, tok, "GET", e.path("/boards/"+b.ID+"/cards/"+c.ID), nil).Expect(t, 200).Decode(t, &now)
		if now.Version != 2 {
			t.Fatalf("version %d after one winning move", now.Version)
		}
		if n := e.h.Count(`SELECT count(*) FROM events WHERE account_id = $1 AND type = 'card.moved'`, e.tenant.ID); n != 1 {
			t.Fatalf("%d card.moved events", n)
		}
		// The account's sequence has no gaps.
		if n := e.h.Count(`SELECT count(*) FROM events WHERE account_id = $1`, e.tenant.ID); n != e.h.Count(
			`SELECT seq FROM event_heads WHERE account_id = $1`, e.tenant.ID) {
			t.Fatalf("%d events but the head is elsewhere", n)
		}
	})
}

// Inserting again and again into the same gap exhausts the fractions; the
// column is renumbered in the move's transaction and keeps its order.
func TestPositionsRebalance(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		tok := e.tenant.Admin.Token
		b := e.defaultBoard(t, tok)
		col := b.Stages[0].ID
		first := e.createCard(t, tok, b.ID, map[string]any{"title": "first"})
		cards := map[string]card{first.ID: first}
		order := []string{first.ID}
		for _, name := range []string{"a", "b"} {
			c := e.createCard(t, tok, b.ID, map[string]any{"title": name})
			cards[c.ID] = c
			order = append(order, c.ID)
		}
		// Each round moves the last card right after the first one.
		for range 45 {
			id := order[len(order)-1]
			var moved card
			e.move(t, tok, b.ID, cards[id], map[string]any{"stage_id": col, "after_id": first.ID}).Expect(t, 200).Decode(t, &moved)
			cards[id] = moved
			order = append([]string{first.ID, id}, slices.DeleteFunc(slices.Clone(order[1:]), func(x string) bool { return x == id })...)
		}
		if n := e.h.Count(`SELECT count(*) FROM events WHERE account_id = $1 AND type = 'stage.rebalanced'`, e.tenant.ID); n == 0 {
			t.Fatal("45 halvings of a 1024 gap never rebalanced")
		}
		p := e.list(t, tok, b.ID, "?stage_id="+col)
		var got []string
		for i, c := range p.Data {
			got = append(got, c.ID)
			if i > 0 && !(c.Position > p.Data[i-1].Position) {
				t.Fatalf("positions not increasing at %d: %v then %v", i, p.Data[i-1].Position, c.Position)
			}
		}
		if !slices.Equal(got, order) {
			t.Fatalf("order %v, want %v", got, order)
		}
		// Paging a column with a cursor walks it in order.
		var paged []string
		cursor := ""
		for {
			q := "?stage_id=" + col + "&limit=1"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			pg := e.list(t, tok, b.ID, q)
			for _, c := range pg.Data {
				paged = append(paged, c.ID)
			}
			if !pg.Pagination.HasMore {
				break
			}
			cursor = pg.Pagination.NextCursor
		}
		if !slices.Equal(paged, order) {
			t.Fatalf("paged %v, want %v", paged, order)
		}
	})
}
