package chatwoot_test

import (
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Team memberships come from Chatwoot at SSO: an agent in a team sees a board
// selected for it; taken out of the team in Chatwoot, the next SSO hides it.
// The team list route answers Chatwoot's teams; unknown team ids are refused
// once the list is known.
func TestTeamVisibilityFollowsSSO(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setup(t, dialect)
		acct := "/api/v1/accounts/" + f.tenant.ID
		admin := f.tenant.Admin.Token
		teams := func(token string) map[string]any {
			return f.h.Do(apptest.Req{Method: "GET", Path: acct + "/chatwoot/teams", Token: token}).Expect(t, 200).JSON(t)
		}
		// Not linked: no teams, and the list is not known.
		if got := teams(admin); got["known"] != false || len(got["data"].([]any)) != 0 {
			t.Fatalf("teams before linking: %v", got)
		}
		f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
		origin := strings.TrimSuffix(f.simURL, "/")
		bruno := f.user("bruno@acme.test").ID
		sales, err := f.sim.AddTeam(1, "Vendas", bruno)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.sim.AddTeam(2, "Outra conta"); err != nil {
			t.Fatal(err)
		}

		signedIn := f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)
		tok, brunoID := signedIn["token"].(string), signedIn["user"].(map[string]any)["id"]
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_team_members WHERE account_id = $1 AND user_id = $2 AND team_id = $3`,
			f.tenant.ID, brunoID, sales.ID); n != 1 {
			t.Fatalf("team membership rows after SSO: %d", n)
		}
		// Any member reads the list (id + name), only the linked account's teams.
		got := teams(tok)
		list := got["data"].([]any)
		if got["known"] != true || len(list) != 1 || list[0].(map[string]any)["name"] != "vendas" ||
			list[0].(map[string]any)["id"] != float64(sales.ID) {
			t.Fatalf("team list: %v", got)
		}

		boards := acct + "/boards"
		bad := f.h.Do(apptest.Req{Method: "POST", Path: boards, Token: admin,
			Body: map[string]any{"name": "Vendas", "visibility": "selected", "visible_team_ids": []int{sales.ID, 999}}}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		if body := string(bad.Body); !strings.Contains(body, "visible_team_ids") || !strings.Contains(body, "999") {
			t.Fatalf("unknown team: %s", body)
		}
		b := f.h.Do(apptest.Req{Method: "POST", Path: boards, Token: admin,
			Body: map[string]any{"name": "Vendas", "visibility": "selected", "visible_team_ids": []int{sales.ID}}}).Expect(t, 201).JSON(t)
		board := boards + "/" + b["id"].(string)
		f.h.Do(apptest.Req{Method: "GET", Path: board, Token: tok}).Expect(t, 200)

		// Out of the team in Chatwoot: the next sign-in hides the board.
		if err := f.sim.RemoveTeamMembers(1, sales.ID, bruno); err != nil {
			t.Fatal(err)
		}
		tok = f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)["token"].(string)
		f.h.Do(apptest.Req{Method: "GET", Path: board, Token: tok}).ExpectError(t, 404, "NOT_FOUND")
		// Back in: visible again.
		if err := f.sim.AddTeamMembers(1, sales.ID, bruno); err != nil {
			t.Fatal(err)
		}
		tok = f.sso(t, "bruno@acme.test", 1, origin).Expect(t, 200).JSON(t)["token"].(string)
		f.h.Do(apptest.Req{Method: "GET", Path: board, Token: tok}).Expect(t, 200)

		// A team made in Chatwoot appears at the next read of the list.
		if _, err := f.sim.AddTeam(1, "Suporte"); err != nil {
			t.Fatal(err)
		}
		if got := teams(admin)["data"].([]any); len(got) != 2 || got[0].(map[string]any)["name"] != "suporte" {
			t.Fatalf("team list after a new team: %v", got)
		}
		// Erasing the user forgets their team memberships.
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_team_members WHERE user_id = $1`, brunoID); n != 1 {
			t.Fatalf("memberships before erasure: %d", n)
		}
		// (A user made by Chatwoot sign-in has no e-mail: the erasure
		// once failed on it.)
		f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/users/" + brunoID.(string) + "/erasure", Token: f.h.LoginSuper().Token}).Expect(t, 200)
		if n := f.h.Count(`SELECT count(*) FROM chatwoot_team_members WHERE user_id = $1`, brunoID); n != 0 {
			t.Fatalf("memberships after erasure: %d", n)
		}
	})
}
