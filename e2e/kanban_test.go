package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// kanbanSetup starts a hub with an account and cards on its default board, and signs a browser in
// to the console on that board.
func kanbanSetup(t *testing.T, cards map[int][]string) (*hub, *kanbanBoard, map[string]string, *browser) {
	t.Helper()
	h := startHub(t)
	api := h.login(t, adminEmail, adminPassword)
	var account struct {
		ID string `json:"id"`
	}
	api.do("POST", "/api/v1/accounts", map[string]string{"name": "Acme Vendas"}, http.StatusCreated, &account)
	board := openKanban(t, api, account.ID)
	ids := map[string]string{}
	for stage := 0; stage < len(board.Stages); stage++ {
		for i, title := range cards[stage] {
			ids[title] = board.create(title, board.Stages[stage].ID, (i+1)*150000).ID
		}
	}
	b := newBrowser(t)
	b.step("open the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitVisible(testID("login-email")))
	b.step("log in",
		chromedp.SendKeys(testID("login-email"), adminEmail),
		chromedp.SendKeys(testID("login-password"), adminPassword),
		chromedp.Click(testID("login-submit")),
	)
	b.waitPath("/accounts")
	b.openBoard(h, board)
	return h, board, ids, b
}

func (b *browser) openBoard(h *hub, board *kanbanBoard) {
	b.t.Helper()
	b.step("open the Kanban", chromedp.Navigate(fmt.Sprintf("%s/accounts/%s/boards", h.URL, board.accountID)))
	b.waitPath(fmt.Sprintf("/accounts/%s/boards/%s", board.accountID, board.ID))
	b.waitBoardLive()
}

// (1) Two windows on one board: a card dragged with the mouse in one, and one moved with the
// keyboard, move in the other at once; both show the board as the hub has it.
func TestKanbanMovesReachTheOtherWindow(t *testing.T) {
	requireBrowser(t)
	h, board, ids, a := kanbanSetup(t, map[int][]string{0: {"Plano anual", "Consultoria", "Treinamento"}, 1: {"Renovação"}})
	s0, s1, s2 := board.Stages[0].ID, board.Stages[1].ID, board.Stages[2].ID

	other := a.newTab("other")
	other.openBoard(h, board)
	a.screenshot("board")

	// A real pointer drag: "Plano anual" from the first column to the top of the second.
	target := a.rectOf(cardSelector(ids["Renovação"]))
	a.pointerDrag(ids["Plano anual"], target.X+target.W/2, target.Y+6)
	a.waitFor("the card in its new column here", cardIn(ids["Plano anual"], s1, 0))
	other.waitFor("the card moved in the other window", cardIn(ids["Plano anual"], s1, 0))
	other.waitFor("the counts in the other window", columnCount(s0, 2)+" && "+columnCount(s1, 2))
	if c := board.card(ids["Plano anual"]); c.StageID != s1 || c.Version != 2 {
		t.Errorf("the hub has the dragged card in %s at version %d", c.StageID, c.Version)
	}

	// The keyboard: pick "Consultoria" up with space, two columns right, one down, drop with enter.
	a.focusCard(ids["Consultoria"])
	a.keys("pick the card up", " ")
	a.waitFor("the card picked up", `document.querySelector('[data-testid="kanban-board"]')?.dataset.dragging === 'keyboard'`)
	a.waitFor("the pick-up announced", `document.querySelector('[data-testid="kanban-announcer"]').textContent.includes('Consultoria')`)
	a.keys("move it two columns right", kb.ArrowRight, kb.ArrowRight)
	a.waitFor("the move announced", fmt.Sprintf(`document.querySelector('[data-testid="kanban-announcer"]').textContent.includes(%s)`, jsString(board.Stages[2].Name)))
	a.keys("drop it", kb.Enter)
	a.waitFor("the card in the third column here", cardIn(ids["Consultoria"], s2, 0))
	a.waitFor("the focus kept on the moved card", fmt.Sprintf(`document.activeElement?.dataset.cardId === %s`, jsString(ids["Consultoria"])))
	other.waitFor("the keyboard move in the other window", cardIn(ids["Consultoria"], s2, 0))

	// Dropped on the Won zone at the bottom, a card goes to the won stage, here and there.
	won := board.Stages[len(board.Stages)-2]
	a.pointerDragTo(ids["Treinamento"], `[data-testid="kanban-drop-won"]`)
	a.waitFor("the won card here", cardIn(ids["Treinamento"], won.ID, -1))
	other.waitFor("the won card in the other window", cardIn(ids["Treinamento"], won.ID, -1))

	// Escape puts a picked-up card back.
	a.focusCard(ids["Renovação"])
	a.keys("pick up and cancel", " ", kb.ArrowRight, kb.Escape)
	a.waitFor("no drag", `document.querySelector('[data-testid="kanban-board"]')?.dataset.dragging === undefined`)

	a.waitMatchesHub(board)
	other.waitMatchesHub(board)
	a.screenshot("after-moves")
	other.screenshot("after-moves")
	a.assertClean()
	other.assertClean()
	a.assertNoConsoleErrors()
	other.assertNoConsoleErrors()
}

// (2) A window goes offline while cards move, are created and deleted in the other and over the
// API; back online, it resumes from its last event and shows the board exactly as the hub has it:
// every change applied, none twice.
func TestKanbanWindowResumesAfterGoingOffline(t *testing.T) {
	requireBrowser(t)
	h, board, ids, a := kanbanSetup(t, map[int][]string{0: {"Um", "Dois", "Três", "Quatro"}, 1: {"Cinco"}})
	s0, s1, s3 := board.Stages[0].ID, board.Stages[1].ID, board.Stages[3].ID

	offline := a.newTab("offline")
	offline.openBoard(h, board)
	offline.setOffline(true)
	offline.waitFor("the board to know it is offline", `document.querySelector('[data-testid="kanban-board"]')?.dataset.live === 'offline'`)

	// Moves in the first window, by keyboard…
	a.focusCard(ids["Um"])
	a.keys("move Um right", " ", kb.ArrowRight, kb.Enter)
	a.waitFor("Um moved", cardIn(ids["Um"], s1, 0))
	a.focusCard(ids["Quatro"])
	a.keys("move Quatro to the top", " ", kb.ArrowUp, kb.ArrowUp, kb.ArrowUp, kb.Enter)
	a.waitFor("Quatro on top", cardIn(ids["Quatro"], s0, 0))
	// …and by other people, over the API.
	board.move(ids["Dois"], s3)
	novo := board.create("Seis", s0, 99000)
	board.api.do("DELETE", board.path("/cards/"+ids["Três"]), nil, http.StatusNoContent, nil)
	board.move(ids["Cinco"], s0)
	a.waitMatchesHub(board)
	if eval[string](offline, `document.querySelector('[data-testid="kanban-board"]').dataset.live`) != "offline" {
		t.Fatal("the offline window reconnected while offline")
	}
	if got := shownColumns(offline)[s1].IDs; strings.Join(got, ",") != ids["Cinco"] {
		t.Fatalf("the offline window changed while offline: %v", got)
	}

	offline.setOffline(false)
	offline.waitBoardLive()
	offline.waitMatchesHub(board)
	offline.waitFor("the new card", cardIn(novo.ID, s0, -1))
	offline.screenshot("after-reconnect")
	a.assertClean()
	offline.assertClean()
	a.assertNoConsoleErrors()
}

// (4) A card someone else moved while it was being dragged: the drop sends the version the person
// saw, the hub answers 409, and the page puts the card where the hub has it and says so.
func TestKanbanStaleMoveRollsBack(t *testing.T) {
	requireBrowser(t)
	_, board, ids, a := kanbanSetup(t, map[int][]string{0: {"Disputado", "Outro"}})
	s0, s1, s2 := board.Stages[0].ID, board.Stages[1].ID, board.Stages[2].ID
	id := ids["Disputado"]

	a.focusCard(id)
	a.keys("pick the card up", " ")
	a.waitFor("the card picked up", `document.querySelector('[data-testid="kanban-board"]')?.dataset.dragging === 'keyboard'`)
	moved := board.move(id, s2)
	// The live event arrives and waits for the drag to end.
	a.waitFor("the other move held during the drag", `Number(document.querySelector('[data-testid="kanban-board"]').dataset.heldEvents) >= 1`)
	if !eval[bool](a, cardIn(id, s0, 0)) {
		t.Fatal("the card moved under the keyboard while it was picked up")
	}
	a.keys("move it right and drop", kb.ArrowRight, " ")

	a.waitFor("the conflict notice", fmt.Sprintf(`document.querySelector('[data-testid="kanban-conflict"]')?.dataset.cardId === %s`, jsString(id)))
	a.waitFor("the card where the hub has it", cardIn(id, s2, 0))
	if eval[bool](a, cardIn(id, s1, -1)) || eval[bool](a, cardIn(id, s0, -1)) {
		t.Error("the refused move is still shown")
	}
	if got := eval[string](a, `document.querySelector('[data-testid="kanban-conflict"]').textContent`); !strings.Contains(got, board.Stages[2].Name) {
		t.Errorf("the notice does not say where the card is: %q", got)
	}
	if c := board.card(id); c.StageID != s2 || c.Version != moved.Version {
		t.Errorf("the hub's card changed: %+v, want %+v", c, moved)
	}
	a.waitMatchesHub(board)
	a.screenshot("conflict")
	a.assertClean()
	a.assertNoConsoleErrors()
}

// assertNoConsoleErrors fails the test on any console.error the pages logged.
func (b *browser) assertNoConsoleErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.consoleErr) > 0 {
		b.t.Errorf("console errors%s:\n  %s", b.label(), strings.Join(b.consoleErr, "\n  "))
	}
}
