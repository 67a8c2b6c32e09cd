package kanban

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the Kanban routes for the API contract.
func APIDocs() apidoc.Ops {
	B := apidoc.Acct + "/boards"
	C := B + "/{boardID}/cards/{cardID}"
	obj, text := apidoc.Object, apidoc.Text
	var filters []apidoc.Param
	for _, n := range []string{"status", "priority", "due", "stale", "contact_id", "assignee", "stage_id", "q", "tz", "limit", "cursor"} {
		filters = append(filters, apidoc.Param{Name: n})
	}
	filters[5].Description = "a user id, or me"
	filters[6].Description = "one column's page"
	listed := func(item any) apidoc.Schema {
		return obj(map[string]any{"data": apidoc.Schema{"type": "array", "items": item}, "pagination": apidoc.Ref("Pagination"),
			"seq": apidoc.Schema{"type": "integer"}}, "data")
	}
	return apidoc.Tagged("Kanban", apidoc.Ops{
		"GET " + B:                        {Summary: "Boards the caller can see, with the account's event sequence", Resp: listed(Board{})},
		"POST " + B:                       {Summary: "Create a board (default stages in the account's language when none given)", Body: boardInput{}, Status: 201, Resp: Board{}},
		"GET " + B + "/{boardID}":         {Summary: "A board with its stages", Resp: Board{}},
		"PATCH " + B + "/{boardID}":       {Summary: "Change a board (version for optimistic concurrency)", Body: boardInput{}, Resp: Board{}},
		"DELETE " + B + "/{boardID}":      {Summary: "Delete a board and its cards", Status: 204},
		"POST " + B + "/{boardID}/stages": {Summary: "Add a stage", Body: stageInput{}, Status: 201, Resp: Stage{}},
		"POST " + B + "/{boardID}/stages/reorder": {Summary: "Put the stages in a new order",
			Body: obj(map[string]any{"stage_ids": []string{}}), Resp: listed(Stage{})},
		"PATCH " + B + "/{boardID}/stages/{stageID}": {Summary: "Change a stage", Body: stageInput{}, Resp: Stage{}},
		"DELETE " + B + "/{boardID}/stages/{stageID}": {Summary: "Delete a stage, moving its cards to target_stage_id",
			Query: []apidoc.Param{{Name: "target_stage_id"}}, Status: 204},
		"GET " + B + "/{boardID}/cards": {Summary: "Cards: the first page of every column with totals, or one column's page",
			Query: filters, Resp: CardPage{}},
		"POST " + B + "/{boardID}/cards": {Summary: "Create a card", Body: cardInput{}, Status: 201, Resp: Card{}},
		"POST " + B + "/{boardID}/cards/bulk-move": {Summary: "Move several cards to a stage at once", Body: bulkMoveInput{},
			Resp: obj(map[string]any{"data": []*Card{}}, "data")},
		"GET " + B + "/{boardID}/export.csv": {Summary: "The board's cards as CSV (filters as for the card list)", Query: filters[:6], Content: "text/csv"},
		"GET " + C:                           {Summary: "A card", Resp: Card{}},
		"PATCH " + C:                         {Summary: "Change a card (version for optimistic concurrency; 409 answers the current card)", Body: cardInput{}, Resp: Card{}},
		"DELETE " + C:                        {Summary: "Delete a card", Status: 204},
		"POST " + C + "/move":                {Summary: "Move a card to a stage and position", Body: moveInput{}, Resp: Card{}},
		"POST " + C + "/won":                 {Summary: "Mark a card won", Body: closeInput{}, Resp: Card{}},
		"POST " + C + "/lost":                {Summary: "Mark a card lost (with a reason)", Body: closeInput{}, Resp: Card{}},
		"GET " + C + "/history":              {Summary: "A card's history, newest first", Query: apidoc.Paged, Resp: httpx.Page[*History]{}},
		"GET " + C + "/notes":                {Summary: "A card's notes", Query: apidoc.Paged, Resp: httpx.Page[*Note]{}},
		"POST " + C + "/notes":               {Summary: "Add a note", Body: noteInput{}, Status: 201, Resp: Note{}},
		"PATCH " + C + "/notes/{noteID}":     {Summary: "Edit one's note", Body: noteInput{}, Resp: Note{}},
		"DELETE " + C + "/notes/{noteID}":    {Summary: "Delete a note", Status: 204},
		"POST " + C + "/messages": {Summary: "Send a message into the card's Chatwoot conversation", Body: obj(map[string]any{"content": text}),
			Status: 201, Resp: obj(map[string]any{"message_id": apidoc.Schema{"type": "integer"}, "conversation_id": apidoc.Schema{"type": "integer"},
				"content": text}, "message_id", "conversation_id", "content")},
		"GET " + apidoc.Acct + "/deals": {Summary: "Cards across the boards the caller can see (filters as for the card list)",
			Query: filters[:6],
			Resp:  obj(map[string]any{"data": []*Card{}, "pagination": apidoc.Ref("Pagination")}, "data")},
		"GET " + apidoc.Acct + "/kanban/members": {Summary: "People who can be assigned to cards",
			Resp: obj(map[string]any{"data": []Member{}, "pagination": apidoc.Ref("Pagination")}, "data")},
	})
}
