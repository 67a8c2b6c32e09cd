package cwsim

import (
	"net/http"
	"testing"
)

func TestTeamRoutesFollowTeamPolicy(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	sales, err := s.AddTeam(1, "Vendas SP", agentAcme)
	if err != nil {
		t.Fatal(err)
	}
	support, _ := s.AddTeam(1, "Suporte")
	foreign, _ := s.AddTeam(2, "Outra conta")
	if sales.Name != "vendas sp" {
		t.Errorf("name = %q, want Chatwoot's downcased name", sales.Name)
	}
	admin, agent := tokenHeader(s, adminAcme), sessionHeader(signIn(t, s, agentAcme))
	base := "/api/v1/accounts/1/teams"

	// Every account user lists all teams; is_member is about the caller.
	r := do(t, s, "GET", base, agent, nil)
	want(t, r, http.StatusOK)
	list := r.list(t)
	if len(list) != 2 || num(dig(t, list, 0, "id")) != sales.ID || dig(t, list, 0, "is_member") != true || dig(t, list, 1, "is_member") != false {
		t.Fatalf("agent's team list = %s", r.raw)
	}
	if dig(t, do(t, s, "GET", base, admin, nil).list(t), 0, "is_member") != false {
		t.Error("is_member is true for an admin outside the team")
	}
	// Agents may read a team and its members; only admins change them.
	want(t, do(t, s, "GET", idPath(base, support.ID), agent, nil), http.StatusOK)
	m := do(t, s, "GET", idPath(base, sales.ID)+"/team_members", agent, nil)
	want(t, m, http.StatusOK)
	if l := m.list(t); len(l) != 1 || num(dig(t, l, 0, "id")) != agentAcme || dig(t, l, 0, "role") != "agent" {
		t.Errorf("members = %s", m.raw)
	}
	for _, c := range []struct{ method, path string }{
		{"POST", base}, {"PATCH", idPath(base, sales.ID)}, {"DELETE", idPath(base, sales.ID)},
		{"POST", idPath(base, sales.ID) + "/team_members"}, {"PATCH", idPath(base, sales.ID) + "/team_members"},
		{"DELETE", idPath(base, sales.ID) + "/team_members"},
	} {
		r := do(t, s, c.method, c.path, agent, map[string]any{"name": "x", "user_ids": []int{agentAcme}})
		want(t, r, http.StatusUnauthorized) // Pundit answers 401
	}
	// Another account's team, or garbage, is a 404 for everyone, before the policy.
	for _, hdr := range []http.Header{admin, agent} {
		want(t, do(t, s, "GET", idPath(base, foreign.ID), hdr, nil), http.StatusNotFound)
		want(t, do(t, s, "GET", idPath(base, foreign.ID)+"/team_members", hdr, nil), http.StatusNotFound)
		want(t, do(t, s, "DELETE", idPath(base, foreign.ID)+"/team_members", hdr, map[string]any{"user_ids": []int{}}), http.StatusNotFound)
		want(t, do(t, s, "GET", base+"/abc", hdr, nil), http.StatusNotFound)
	}
	// Names are unique per account after downcasing; users must exist.
	want(t, do(t, s, "POST", base, admin, map[string]any{"name": "VENDAS SP"}), http.StatusUnprocessableEntity)
	want(t, do(t, s, "POST", base, admin, map[string]any{"name": " "}), http.StatusUnprocessableEntity)
	want(t, do(t, s, "POST", "/api/v1/accounts/2/teams", tokenHeader(s, multiUser), map[string]any{"name": "vendas sp"}), http.StatusUnauthorized)
	want(t, do(t, s, "POST", idPath(base, sales.ID)+"/team_members", admin, map[string]any{"user_ids": []int{multiUser, 999}}),
		http.StatusUnprocessableEntity)
	if got := s.Teams(1)[0].MemberIDs; len(got) != 1 {
		t.Errorf("a rejected add changed the members: %v", got)
	}
	// PATCH replaces and answers the users passed.
	r = do(t, s, "PATCH", idPath(base, sales.ID)+"/team_members", admin, map[string]any{"user_ids": []int{multiUser}})
	want(t, r, http.StatusOK)
	if l := r.list(t); len(l) != 1 || num(dig(t, l, 0, "id")) != multiUser {
		t.Errorf("patch = %s", r.raw)
	}
	if dig(t, do(t, s, "GET", base, agent, nil).list(t), 0, "is_member") != false {
		t.Error("the agent replaced out of the team is still a member")
	}
	// Deleting a team takes its members with it.
	want(t, do(t, s, "DELETE", idPath(base, sales.ID), admin, nil), http.StatusOK)
	want(t, do(t, s, "GET", idPath(base, sales.ID)+"/team_members", admin, nil), http.StatusNotFound)
	if len(s.Teams(1)) != 1 {
		t.Errorf("teams = %+v", s.Teams(1))
	}
}
