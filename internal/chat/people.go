package chat

import (
	"net/http"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
)

// Person is someone of the account the chat can show and reach: the
// name a DM, a mention or an author line needs, and nothing else.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// maxPeople bounds the directory; larger accounts still reach people
// through their rooms' member lists.
const maxPeople = 1000

// People answers GET …/chat/people: the account's active members, id and
// name only. Agents may not list the account's users, yet the chat must
// name authors, start DMs and suggest mentions.
func (s *Service) People(w http.ResponseWriter, r *http.Request) error {
	v, err := viewerOf(r)
	if err != nil {
		return err
	}
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = $1 AND m.status = 'active' AND u.active ORDER BY u.name, u.id LIMIT $2`, v.accountID, maxPeople)
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (Person, error) {
		var p Person
		return p, r.Scan(&p.ID, &p.Name)
	})
	if err != nil {
		return err
	}
	if list == nil {
		list = []Person{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "pagination": httpx.Pagination{}})
	return nil
}
