package cwsim

import "slices"

// Team is a copy of a team row and its members.
type Team struct {
	ID, AccountID int
	Name          string // as stored: downcased
	MemberIDs     []int
}

func snapTeam(t *team) Team {
	return Team{ID: t.ID, AccountID: t.AccountID, Name: t.Name, MemberIDs: slices.Clone(t.MemberIDs)}
}

// AddTeam creates a team as an administrator would (POST …/teams) and adds
// the members (account users only).
func (s *Sim) AddTeam(accountID int, name string, memberIDs ...int) (Team, error) {
	var out Team
	err := s.op(func(*outbox) error {
		if s.account(accountID) == nil {
			return errNotFound()
		}
		t := &team{AccountID: accountID, AllowAutoAssign: true}
		if err := s.applyTeam(t, map[string]any{"name": name}, true); err != nil {
			return err
		}
		if err := s.setTeamMembers(t, memberIDs, false); err != nil {
			return err
		}
		t.ID = s.next("team")
		s.teams = append(s.teams, t)
		out = snapTeam(t)
		return nil
	})
	return out, err
}

// AddTeamMembers adds account users to a team (POST …/team_members).
func (s *Sim) AddTeamMembers(accountID, teamID int, userIDs ...int) error {
	return s.op(func(*outbox) error {
		t := s.teamIn(accountID, teamID)
		if t == nil {
			return errNotFound()
		}
		return s.setTeamMembers(t, userIDs, false)
	})
}

// RemoveTeamMembers takes users out of a team (DELETE …/team_members).
func (s *Sim) RemoveTeamMembers(accountID, teamID int, userIDs ...int) error {
	return s.op(func(*outbox) error {
		t := s.teamIn(accountID, teamID)
		if t == nil {
			return errNotFound()
		}
		t.MemberIDs = slices.DeleteFunc(t.MemberIDs, func(m int) bool { return slices.Contains(userIDs, m) })
		return nil
	})
}

// Teams lists an account's teams.
func (s *Sim) Teams(accountID int) []Team {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Team
	for _, t := range s.teams {
		if t.AccountID == accountID {
			out = append(out, snapTeam(t))
		}
	}
	return out
}
