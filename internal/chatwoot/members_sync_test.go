package chatwoot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
	"github.com/whatpro/hub/internal/chatwoot/cwsim"
)

// membersFixture is an account linked with Ana's (administrator) token,
// a team "Vendas" and an inbox with Bruno (agent) in both, Bruno signed
// in once, and a board visible to the team only.
type membersFixture struct {
	*fixture
	bruno, brunoHub, token string
	teamID, inboxID        int
	board                  string
}

func setupMembers(t *testing.T, dialect string, env ...string) *membersFixture {
	t.Helper()
	f := &membersFixture{fixture: setupWith(t, dialect, env...)}
	f.link(t, 1, f.user("ana@acme.test").APIAccessToken).Expect(t, 200)
	bruno := f.user("bruno@acme.test").ID
	team, err := f.sim.AddTeam(1, "Vendas", bruno)
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := f.sim.AddInbox(1, cwsim.InboxSpec{Name: "Loja", MemberIDs: []int{bruno}})
	if err != nil {
		t.Fatal(err)
	}
	f.teamID, f.inboxID = team.ID, inbox.ID
	signedIn := f.sso(t, "bruno@acme.test", 1, strings.TrimSuffix(f.simURL, "/")).Expect(t, 200).JSON(t)
	f.token, f.brunoHub = signedIn["token"].(string), signedIn["user"].(map[string]any)["id"].(string)
	b := f.h.Do(apptest.Req{Method: "POST", Path: "/api/v1/accounts/" + f.tenant.ID + "/boards", Token: f.tenant.Admin.Token,
		Body: map[string]any{"name": "Vendas", "visibility": "selected", "visible_team_ids": []int{team.ID}}}).Expect(t, 201).JSON(t)
	f.board = "/api/v1/accounts/" + f.tenant.ID + "/boards/" + b["id"].(string)
	f.h.Do(apptest.Req{Method: "GET", Path: f.board, Token: f.token}).Expect(t, 200)
	if n := f.memberships(); n != 2 {
		t.Fatalf("Bruno's team and inbox rows after SSO: %d", n)
	}
	return f
}

// memberships counts Bruno's recorded team and inbox rows.
func (f *membersFixture) memberships() int {
	return f.h.Count(`SELECT count(*) FROM chatwoot_team_members WHERE account_id = $1 AND user_id = $2`, f.tenant.ID, f.brunoHub) +
		f.h.Count(`SELECT count(*) FROM chatwoot_inbox_members WHERE account_id = $1 AND user_id = $2`, f.tenant.ID, f.brunoHub)
}

// Taken out of a team and an inbox in Chatwoot, an agent who does not sign
// in again loses the board and the inbox at the next members sync, with
// the token they already hold; put back, they see them again.
func TestMembersSyncFollowsChatwoot(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setupMembers(t, dialect, "WHATPRO_CHATWOOT_MEMBERS_SYNC_INTERVAL=1s")
		bruno := f.user("bruno@acme.test").ID
		if err := f.sim.RemoveTeamMembers(1, f.teamID, bruno); err != nil {
			t.Fatal(err)
		}
		if err := f.sim.RemoveInboxMembers(1, f.inboxID, bruno); err != nil {
			t.Fatal(err)
		}
		apptest.Eventually(t, "the sync to take Bruno out", func() bool { return f.memberships() == 0 })
		f.h.Do(apptest.Req{Method: "GET", Path: f.board, Token: f.token}).ExpectError(t, 404, "NOT_FOUND")

		if err := f.sim.AddTeamMembers(1, f.teamID, bruno); err != nil {
			t.Fatal(err)
		}
		if err := f.sim.AddInboxMembers(1, f.inboxID, bruno); err != nil {
			t.Fatal(err)
		}
		apptest.Eventually(t, "the sync to put Bruno back", func() bool { return f.memberships() == 2 })
		f.h.Do(apptest.Req{Method: "GET", Path: f.board, Token: f.token}).Expect(t, 200)
	})
}

// A sync that cannot read everything changes nothing: Chatwoot failing on
// one team's members, or a link token that is no longer an
// administrator's (an agent's token lists only that agent's inboxes).
// The periodic sync stays at its default 5 minutes here; the test runs
// the sync itself.
func TestMembersSyncChangesNothingOnAPartialAnswer(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setupMembers(t, dialect)
		ctx := context.Background()
		bruno, ana := f.user("bruno@acme.test").ID, f.user("ana@acme.test").ID
		if err := f.sim.RemoveTeamMembers(1, f.teamID, bruno); err != nil {
			t.Fatal(err)
		}
		if err := f.sim.RemoveInboxMembers(1, f.inboxID, bruno); err != nil {
			t.Fatal(err)
		}

		f.sim.FailNext("/api/v1/accounts/1/inbox_members/", 500)
		if err := f.h.App.Chatwoot.SyncMembers(ctx, f.tenant.ID); err == nil || !strings.Contains(err.Error(), "inbox") {
			t.Fatalf("sync with a failing inbox read: %v", err)
		}
		if n := f.memberships(); n != 2 {
			t.Fatalf("rows after a failed sync: %d", n)
		}

		if !f.sim.SetRole(ana, 1, cwsim.RoleAgent) {
			t.Fatal("no such membership")
		}
		if err := f.h.App.Chatwoot.SyncMembers(ctx, f.tenant.ID); err == nil || !strings.Contains(err.Error(), "administrator") {
			t.Fatalf("sync with an agent's token: %v", err)
		}
		if n := f.memberships(); n != 2 {
			t.Fatalf("rows after a sync with an agent's token: %d", n)
		}
		f.h.Do(apptest.Req{Method: "GET", Path: f.board, Token: f.token}).Expect(t, 200)
		// The console shows why: the link answers the last sync's error.
		link := func() map[string]any {
			return f.h.Do(apptest.Req{Method: "GET", Path: "/api/v1/accounts/" + f.tenant.ID + "/chatwoot", Token: f.tenant.Admin.Token}).
				Expect(t, 200).JSON(t)
		}
		if got := link(); !strings.Contains(got["members_sync_error"].(string), "administrator") || got["members_synced_at"] != nil {
			t.Fatalf("the link after a failed sync: %v", got)
		}

		f.sim.SetRole(ana, 1, cwsim.RoleAdministrator)
		if err := f.h.App.Chatwoot.SyncMembers(ctx, f.tenant.ID); err != nil {
			t.Fatal(err)
		}
		if n := f.memberships(); n != 0 {
			t.Fatalf("rows after a full sync: %d", n)
		}
		if got := link(); got["members_sync_error"] != nil || got["members_synced_at"] == nil {
			t.Fatalf("the link after a full sync: %v", got)
		}
		f.h.Do(apptest.Req{Method: "GET", Path: f.board, Token: f.token}).ExpectError(t, 404, "NOT_FOUND")
		// An account without a link has nothing to sync.
		other := f.h.NewTenant(f.h.LoginSuper(), "Sem link")
		if err := f.h.App.Chatwoot.SyncMembers(ctx, other.ID); err != nil {
			t.Fatalf("unlinked account: %v", err)
		}
	})
}

// Chatwoot shows an administrator every inbox, members or not: the sign-in
// records them in all, and the sync keeps them there instead of taking
// them out of inboxes they were never added to.
func TestMembersSyncKeepsAdministratorsInEveryInbox(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		f := setupMembers(t, dialect)
		eva := f.sso(t, "eva@example.test", 1, strings.TrimSuffix(f.simURL, "/")).Expect(t, 200).JSON(t)["user"].(map[string]any)["id"].(string)
		inboxes := func() int {
			return f.h.Count(`SELECT count(*) FROM chatwoot_inbox_members WHERE account_id = $1 AND user_id = $2`, f.tenant.ID, eva)
		}
		all := len(f.sim.Inboxes(1))
		if n := inboxes(); n != all || all == 0 {
			t.Fatalf("an administrator's inbox rows after SSO: %d of %d", n, all)
		}
		if err := f.h.App.Chatwoot.SyncMembers(context.Background(), f.tenant.ID); err != nil {
			t.Fatal(err)
		}
		if n := inboxes(); n != all {
			t.Fatalf("an administrator's inbox rows after the sync: %d of %d", n, all)
		}
		// Bruno (an agent) keeps exactly his one inbox and team.
		if n := f.memberships(); n != 2 {
			t.Fatalf("Bruno's rows after the sync: %d", n)
		}
	})
}
