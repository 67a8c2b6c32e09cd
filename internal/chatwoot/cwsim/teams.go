package cwsim

import (
	"net/http"
	"slices"
	"strings"
)

// team is a Team row with its team_members (user ids in insertion order).
type team struct {
	ID, AccountID   int
	Name            string // downcased before validation, unique per account
	Description     *string
	AllowAutoAssign bool
	MemberIDs       []int
}

// teamJSON is app/views/api/v1/models/_team.json.jbuilder; is_member says
// whether the current user is in the team.
func teamJSON(t *team, u *user) map[string]any {
	return map[string]any{"id": t.ID, "name": t.Name, "description": strPtr(t.Description),
		"allow_auto_assign": t.AllowAutoAssign, "account_id": t.AccountID,
		"is_member": u != nil && slices.Contains(t.MemberIDs, u.ID)}
}

func (s *Sim) teamIn(accountID, id int) *team {
	for _, t := range s.teams {
		if t.ID == id && t.AccountID == accountID {
			return t
		}
	}
	return nil
}

// findTeam is Current.account.teams.find: another account's team is a 404.
// It runs before check_authorization, so the 404 comes before any 401.
func (c *call) findTeam() (*team, error) {
	id, err := c.pathID("team_id")
	if err != nil {
		return nil, err
	}
	t := c.s.teamIn(c.acct.ID, id)
	if t == nil {
		return nil, errNotFound()
	}
	return t, nil
}

// routeTeams is TeamsController#index (TeamPolicy#index? is true for every
// account user): all teams of the account, in id order.
func (s *Sim) routeTeams(c *call) reply {
	list := []map[string]any{}
	for _, t := range s.teams {
		if t.AccountID == c.acct.ID {
			list = append(list, teamJSON(t, c.user))
		}
	}
	return ok(list)
}

func (s *Sim) routeTeam(c *call) reply {
	t, err := c.findTeam()
	if err != nil {
		return fromErr(err)
	}
	return ok(teamJSON(t, c.user))
}

func (s *Sim) routeCreateTeam(c *call) reply {
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	t := &team{AccountID: c.acct.ID, AllowAutoAssign: true}
	if err := s.applyTeam(t, c.body, true); err != nil {
		return fromErr(err)
	}
	t.ID = s.next("team")
	s.teams = append(s.teams, t)
	return ok(teamJSON(t, c.user))
}

func (s *Sim) routeUpdateTeam(c *call) reply {
	t, err := c.findTeam()
	if err != nil {
		return fromErr(err)
	}
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	if err := s.applyTeam(t, c.body, false); err != nil {
		return fromErr(err)
	}
	return ok(teamJSON(t, c.user))
}

// routeDeleteTeam is TeamsController#destroy: head :ok; its team_members go
// with it.
func (s *Sim) routeDeleteTeam(c *call) reply {
	t, err := c.findTeam()
	if err != nil {
		return fromErr(err)
	}
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	s.teams = slices.DeleteFunc(s.teams, func(x *team) bool { return x == t })
	return reply{status: http.StatusOK}
}

// applyTeam validates and copies team_params (name, description,
// allow_auto_assign; Rails wraps the bare JSON body into params[:team]).
// The name is downcased and must be present and unique in the account.
func (s *Sim) applyTeam(t *team, p map[string]any, create bool) error {
	if nested, isObj := p["team"].(map[string]any); isObj {
		p = nested
	}
	next := *t
	if name, present := pString(p, "name"); present || create {
		next.Name = strings.ToLower(name)
	}
	if d, present := pString(p, "description"); present {
		next.Description = &d
	}
	if v, present := pBool(p, "allow_auto_assign"); present {
		next.AllowAutoAssign = v
	}
	if strings.TrimSpace(next.Name) == "" {
		return errRecordInvalid("Name must not be blank", "name")
	}
	for _, o := range s.teams {
		if o != t && o.AccountID == t.AccountID && o.Name == next.Name {
			return errRecordInvalid("Name has already been taken", "name")
		}
	}
	*t = next
	return nil
}

// teamMembers renders a team's users with the agent partial, in the order
// they joined.
func (s *Sim) teamMembers(t *team, ids []int) []map[string]any {
	out := []map[string]any{}
	for _, id := range ids {
		if u := s.userByID(id); u != nil {
			out = append(out, agentJSON(u, t.AccountID))
		}
	}
	return out
}

// routeTeamMembers is TeamMembersController#index; TeamMemberPolicy#index?
// is true, so agents may list any team of their account.
func (s *Sim) routeTeamMembers(c *call) reply {
	t, err := c.findTeam()
	if err != nil {
		return fromErr(err)
	}
	return ok(s.teamMembers(t, t.MemberIDs))
}

// routeChangeTeamMembers serves POST (add), PATCH (replace: destroy_all,
// then add) and DELETE (remove, head :ok) with {user_ids}. POST and PATCH
// render the users passed (create.json.jbuilder), not the whole team.
func (s *Sim) routeChangeTeamMembers(c *call) reply {
	t, err := c.findTeam()
	if err != nil {
		return fromErr(err)
	}
	if !c.admin() {
		return fromErr(errNotAuthorized())
	}
	ids, isList := pIntList(c.body, "user_ids")
	if !isList {
		return fromErr(errRails(http.StatusInternalServerError)) // params[:user_ids].map on nil
	}
	if c.r.Method == "DELETE" {
		t.MemberIDs = slices.DeleteFunc(t.MemberIDs, func(m int) bool { return slices.Contains(ids, m) })
		return reply{status: http.StatusOK}
	}
	if err := s.setTeamMembers(t, ids, c.r.Method == "PATCH"); err != nil {
		return fromErr(err)
	}
	if len(ids) == 0 {
		return ok(map[string]any{}) // the template renders nothing for an empty list
	}
	return ok(s.teamMembers(t, dedupe(ids)))
}

// setTeamMembers adds users (replacing the members first when replace is
// set) in one transaction: an unknown user rolls everything back.
func (s *Sim) setTeamMembers(t *team, ids []int, replace bool) error {
	for _, id := range ids {
		if u := s.userByID(id); u == nil || u.member(t.AccountID) == nil {
			return errRecordInvalid("User must exist", "user")
		}
	}
	if replace {
		t.MemberIDs = nil
	}
	for _, id := range ids {
		if !slices.Contains(t.MemberIDs, id) {
			t.MemberIDs = append(t.MemberIDs, id)
		}
	}
	return nil
}

func dedupe(ids []int) []int {
	var out []int
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
