package kanban

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/whatpro/hub/internal/chatwoot"
)

// maxBoardTeams bounds visible_team_ids.
const maxBoardTeams = 100

// checkTeams validates visible_team_ids: positive Chatwoot team ids, at
// most maxBoardTeams, each a team of the account when the hub knows the
// account's team list (it learns it at sign-in and from …/chatwoot/teams).
// It answers the ids sorted and without repeats.
func (s *Service) checkTeams(ctx context.Context, accountID string, ids []int, chk *checker) []int {
	out := []int{}
	if len(ids) > maxBoardTeams {
		chk.add("visible_team_ids", "at most "+strconv.Itoa(maxBoardTeams)+" teams")
		return out
	}
	for _, id := range ids {
		if id <= 0 {
			chk.add("visible_team_ids", "must be Chatwoot team ids")
			return out
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	known, ok, err := chatwoot.AccountTeams(ctx, s.DB.R, accountID)
	if err != nil || !ok {
		return out // unknown list: the ids are kept as given
	}
	var unknown []string
	for _, id := range out {
		if !slices.ContainsFunc(known, func(t chatwoot.TeamRef) bool { return t.ID == id }) {
			unknown = append(unknown, strconv.Itoa(id))
		}
	}
	if len(unknown) > 0 {
		chk.add("visible_team_ids", "not teams of the linked Chatwoot account: "+strings.Join(unknown, ", "))
	}
	return out
}
