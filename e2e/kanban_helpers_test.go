package e2e

// Helpers for the Kanban browser tests (kanban_test.go): a board set up over the API, what the
// page shows of it, and moves by pointer and keyboard as a person makes them.

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

type kbStage struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type kbCard struct {
	ID      string `json:"id"`
	StageID string `json:"stage_id"`
	Title   string `json:"title"`
	Version int64  `json:"version"`
}

type kbPage struct {
	Data   []kbCard `json:"data"`
	Totals map[string]struct {
		Count int `json:"count"`
	} `json:"totals"`
}

// kanbanBoard is the default board of an account, read over the API as the super admin.
type kanbanBoard struct {
	api       *apiClient
	accountID string
	ID        string
	Stages    []kbStage // in board order: five open stages… then won and lost
}

func openKanban(t *testing.T, api *apiClient, accountID string) *kanbanBoard {
	t.Helper()
	var boards struct {
		Data []struct {
			ID        string `json:"id"`
			IsDefault bool   `json:"is_default"`
		} `json:"data"`
	}
	api.do("GET", "/api/v1/accounts/"+accountID+"/boards", nil, http.StatusOK, &boards)
	if len(boards.Data) == 0 {
		t.Fatal("the account has no board")
	}
	b := &kanbanBoard{api: api, accountID: accountID, ID: boards.Data[0].ID}
	var full struct {
		Stages []kbStage `json:"stages"`
	}
	api.do("GET", b.path(""), nil, http.StatusOK, &full)
	b.Stages = full.Stages
	if len(b.Stages) < 4 {
		t.Fatalf("the default board has %d stages", len(b.Stages))
	}
	return b
}

func (b *kanbanBoard) path(rest string) string {
	return "/api/v1/accounts/" + b.accountID + "/boards/" + b.ID + rest
}

func (b *kanbanBoard) create(title, stageID string, valueCents int) kbCard {
	b.api.t.Helper()
	var c kbCard
	b.api.do("POST", b.path("/cards"), map[string]any{"title": title, "stage_id": stageID, "value_cents": valueCents}, http.StatusCreated, &c)
	return c
}

func (b *kanbanBoard) card(id string) kbCard {
	b.api.t.Helper()
	var c kbCard
	b.api.do("GET", b.path("/cards/"+id), nil, http.StatusOK, &c)
	return c
}

// move moves a card over the API, as another person would, to the end of a stage.
func (b *kanbanBoard) move(id, stageID string) kbCard {
	b.api.t.Helper()
	c := b.card(id)
	var out kbCard
	b.api.do("POST", b.path("/cards/"+id+"/move"), map[string]any{"stage_id": stageID, "version": c.Version}, http.StatusOK, &out)
	return out
}

// columns is the hub's view: every stage's card ids in order (first page of 200) and its count.
func (b *kanbanBoard) columns() (map[string][]string, map[string]int) {
	b.api.t.Helper()
	var p kbPage
	b.api.do("GET", b.path("/cards?limit=200"), nil, http.StatusOK, &p)
	ids := map[string][]string{}
	counts := map[string]int{}
	for _, s := range b.Stages {
		ids[s.ID] = []string{}
		counts[s.ID] = p.Totals[s.ID].Count
	}
	for _, c := range p.Data {
		ids[c.StageID] = append(ids[c.StageID], c.ID)
	}
	return ids, counts
}

// ---- what a tab shows --------------------------------------------------------------------------

const shownColumnsJS = `(() => {
  const out = {};
  for (const col of document.querySelectorAll('[data-testid="kanban-column"]')) {
    out[col.dataset.stageId] = { ids: [...col.querySelectorAll('[data-testid="kanban-card"]')].map((c) => c.dataset.cardId),
      count: Number(col.dataset.count) };
  }
  return out;
})()`

type shownColumn struct {
	IDs   []string `json:"ids"`
	Count int      `json:"count"`
}

func shownColumns(b *browser) map[string]shownColumn {
	b.t.Helper()
	return eval[map[string]shownColumn](b, shownColumnsJS)
}

// waitBoardLive waits for the board to be shown and following its live updates.
func (b *browser) waitBoardLive() {
	b.t.Helper()
	b.waitFor("the board, live", `document.querySelector('[data-testid="kanban-board"]')?.dataset.status === 'ready' &&
  document.querySelector('[data-testid="kanban-board"]')?.dataset.live === 'live'`)
}

// cardIn is a condition: the card is shown in the stage's column at index (or anywhere when index < 0).
func cardIn(cardID, stageID string, index int) string {
	ids := fmt.Sprintf(`[...document.querySelectorAll('[data-testid="kanban-column"][data-stage-id=%s] [data-testid="kanban-card"]')].map((c) => c.dataset.cardId)`,
		jsString(stageID))
	if index < 0 {
		return ids + `.includes(` + jsString(cardID) + `)`
	}
	return fmt.Sprintf(`%s[%d] === %s`, ids, index, jsString(cardID))
}

func columnCount(stageID string, n int) string {
	return fmt.Sprintf(`document.querySelector('[data-testid="kanban-column"][data-stage-id=%s]')?.dataset.count === %s`, jsString(stageID), jsString(fmt.Sprint(n)))
}

// waitMatchesHub waits until the tab shows every column exactly as the hub has it: the same
// cards in the same order, each once, with the hub's counts.
func (b *browser) waitMatchesHub(board *kanbanBoard) {
	b.t.Helper()
	ids, counts := board.columns()
	var want []string
	for _, s := range board.Stages {
		want = append(want, fmt.Sprintf(`c[%s]?.ids.join(',') === %s && c[%s]?.count === %d`,
			jsString(s.ID), jsString(strings.Join(ids[s.ID], ",")), jsString(s.ID), counts[s.ID]))
	}
	cond := `(() => { const c = ` + shownColumnsJS + `; return ` + strings.Join(want, " && ") + `; })()`
	b.waitFor(fmt.Sprintf("the board to match the hub (hub: %v, counts %v)", ids, counts), cond)
	// Each card once, anywhere on the board.
	all := eval[[]string](b, `[...document.querySelectorAll('[data-testid="kanban-card"]')].map((c) => c.dataset.cardId)`)
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			b.t.Errorf("card %s is shown twice%s", id, b.label())
		}
		seen[id] = true
	}
}

// ---- moves -------------------------------------------------------------------------------------

type rect struct{ X, Y, W, H float64 }

func (b *browser) rectOf(selector string) rect {
	b.t.Helper()
	r := eval[rect](b, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  const r = el.getBoundingClientRect(); return { X: r.left, Y: r.top, W: r.width, H: r.height }; })()`, jsString(selector)))
	if r.W == 0 || r.H == 0 {
		b.t.Fatalf("%s has no size%s", selector, b.label())
	}
	return r
}

func cardSelector(id string) string {
	return fmt.Sprintf(`[data-testid="kanban-card"][data-card-id=%s]`, jsString(id))
}

func columnSelector(stageID string) string {
	return fmt.Sprintf(`[data-testid="kanban-column"][data-stage-id=%s]`, jsString(stageID))
}

// pointerDrag drags a card with the mouse, in small steps as a hand does, to a point.
func (b *browser) pointerDrag(cardID string, toX, toY float64) {
	b.t.Helper()
	from := b.rectOf(cardSelector(cardID))
	x0, y0 := from.X+from.W/2, from.Y+math.Min(from.H/2, 24)
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y0),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y0, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	}
	const n = 12
	for i := 1; i <= n; i++ {
		f := float64(i) / n
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x0+(toX-x0)*f, y0+(toY-y0)*f, chromedp.ButtonLeft,
			func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
	}
	b.step("drag the card", steps...)
	b.waitFor("the drop target under the pointer", `document.querySelector('[data-testid="kanban-board"]')?.dataset.dragging === 'pointer'`)
	b.step("drop the card", chromedp.MouseEvent(chromedp.MouseReleased, toX, toY, chromedp.ButtonLeft, chromedp.ClickCount(1)))
}

// pointerDragTo drags a card onto an element that shows up once the drag has started (the Won
// and Lost zones).
func (b *browser) pointerDragTo(cardID, selector string) {
	b.t.Helper()
	from := b.rectOf(cardSelector(cardID))
	x0, y0 := from.X+from.W/2, from.Y+math.Min(from.H/2, 24)
	b.step("start dragging the card",
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y0),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y0, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, x0+20, y0+20, chromedp.ButtonLeft, func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }),
	)
	b.waitFor("the drop zones", present(selector))
	to := b.rectOf(selector)
	x, y := to.X+to.W/2, to.Y+to.H/2
	var steps []chromedp.Action[chromedp.Void]
	for i := 1; i <= 8; i++ {
		f := float64(i) / 8
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x0+20+(x-x0-20)*f, y0+20+(y-y0-20)*f, chromedp.ButtonLeft,
			func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	b.step("drop the card on "+selector, steps...)
}

// keys sends keys to the focused element, one key event each.
func (b *browser) keys(what string, keys ...string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for _, k := range keys {
		steps = append(steps, chromedp.KeyEvent(k))
	}
	b.step(what, steps...)
}

func (b *browser) focusCard(cardID string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(document.querySelector(%s).focus(), document.activeElement?.dataset.cardId === %s)`, jsString(cardSelector(cardID)), jsString(cardID)))
}

// setOffline takes the tab off the network (requests fail, navigator.onLine is false) or back.
func (b *browser) setOffline(offline bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatalf("network.enable: %v", err)
	}
	rule := []*network.Conditions{{URLPattern: "", Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}
	if !offline {
		rule = []*network.Conditions{}
	}
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rule}); err != nil {
		b.t.Fatalf("emulate the network: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		b.t.Fatalf("override the network state: %v", err)
	}
}
