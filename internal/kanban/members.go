package kanban

import (
	"net/http"

	"github.com/whatpro/hub/internal/db"
	"github.com/whatpro/hub/internal/httpx"
	"github.com/whatpro/hub/internal/iam"
)

// Member is someone a card may be assigned to.
type Member struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// maxMembers bounds the answer; accounts this large pick assignees by id.
const maxMembers = 1000

// Members answers GET …/kanban/members: the account's active members (id
// and name only), so that agents, who may not list the account's users,
// can read and set a card's assignees and filter by them.
func (s *Service) Members(w http.ResponseWriter, r *http.Request) error {
	acc := iam.AccessFrom(r.Context())
	rows, err := s.DB.R.QueryContext(r.Context(), `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = $1 AND m.status = 'active' AND u.active ORDER BY u.name, u.id LIMIT $2`, acc.AccountID, maxMembers)
	list, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (Member, error) {
		var m Member
		return m, r.Scan(&m.ID, &m.Name)
	})
	if err != nil {
		return err
	}
	if list == nil {
		list = []Member{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "pagination": httpx.Pagination{}})
	return nil
}
