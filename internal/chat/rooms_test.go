package chat_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/whatpro/hub/internal/apptest"
)

// Rooms of every type, who sees and joins them, members and roles.
func TestRoomsAndMembers(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		admin := e.tenant.Admin.Token
		ana, bia, caio := e.member(t, "Ana Souza"), e.member(t, "Bia Lima"), e.member(t, "Caio Reis")
		other := e.h.NewTenant(e.super, "Other")
		outsider := e.h.NewMember(other.Admin.Token, other.ID, "agent")

		pub := e.createRoom(t, ana.Token, map[string]any{"type": "public", "name": "Geral", "topic": "tudo"})
		if pub.Role != "owner" || !pub.Member || len(pub.MemberIDs) != 1 || pub.LastSeq != 1 {
			t.Fatalf("public room: %+v", pub)
		}
		priv := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Diretoria", "member_ids": []string{bia.UserID}})
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "same name", Method: "POST", Path: e.chat("/rooms"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"type": "public", "name": "GERAL"}, Status: 409, Code: "CONFLICT"},
			{Name: "no name", Method: "POST", Path: e.chat("/rooms"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"type": "public"}, Status: 400, Code: "VALIDATION_ERROR", Contains: []string{`"field":"name"`}},
			{Name: "bad type", Method: "POST", Path: e.chat("/rooms"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"type": "channel", "name": "x"}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "member of another account", Method: "POST", Path: e.chat("/rooms"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"type": "dm", "member_ids": []string{outsider.UserID}}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "unknown field", Method: "POST", Path: e.chat("/rooms"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"type": "public", "name": "x", "owner": "me"}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "private hidden from non-members", Method: "GET", Path: e.chat("/rooms/" + priv.ID), Header: apptest.Bearer(caio.Token),
				Status: 404, Code: "NOT_FOUND"},
			{Name: "private messages hidden", Method: "GET", Path: e.chat("/rooms/" + priv.ID + "/messages"), Header: apptest.Bearer(caio.Token),
				Status: 404, Code: "NOT_FOUND"},
			{Name: "admin not a member sees no private room", Method: "GET", Path: e.chat("/rooms/" + priv.ID), Header: apptest.Bearer(admin),
				Status: 404, Code: "NOT_FOUND"},
			{Name: "public previewed", Method: "GET", Path: e.chat("/rooms/" + pub.ID + "/messages"), Header: apptest.Bearer(caio.Token),
				Status: 200, Contains: []string{`"room_created"`}},
			{Name: "no posting before joining", Method: "POST", Path: e.chat("/rooms/" + pub.ID + "/messages"), Header: apptest.Bearer(caio.Token),
				Body: map[string]any{"content": "oi"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "join public", Method: "POST", Path: e.chat("/rooms/" + pub.ID + "/join"), Header: apptest.Bearer(caio.Token),
				Status: 200, Contains: []string{`"member":true`}},
			{Name: "join private refused", Method: "POST", Path: e.chat("/rooms/" + priv.ID + "/join"), Header: apptest.Bearer(caio.Token),
				Status: 404, Code: "NOT_FOUND"},
			{Name: "member adds to private refused", Method: "POST", Path: e.chat("/rooms/" + priv.ID + "/members"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"user_ids": []string{caio.UserID}}, Status: 403, Code: "FORBIDDEN"},
			{Name: "owner adds to private", Method: "POST", Path: e.chat("/rooms/" + priv.ID + "/members"), Header: apptest.Bearer(ana.Token),
				Body: map[string]any{"user_ids": []string{caio.UserID}}, Status: 200, Contains: []string{caio.UserID}},
			{Name: "member renames refused", Method: "PATCH", Path: e.chat("/rooms/" + priv.ID), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"name": "Board"}, Status: 403, Code: "FORBIDDEN"},
			{Name: "member removes refused", Method: "DELETE", Path: e.chat("/rooms/" + priv.ID + "/members/" + caio.UserID), Header: apptest.Bearer(bia.Token),
				Status: 403, Code: "FORBIDDEN"},
			{Name: "owner removes", Method: "DELETE", Path: e.chat("/rooms/" + priv.ID + "/members/" + caio.UserID), Header: apptest.Bearer(ana.Token),
				Status: 204},
			{Name: "removed member sees nothing", Method: "GET", Path: e.chat("/rooms/" + priv.ID), Header: apptest.Bearer(caio.Token),
				Status: 404, Code: "NOT_FOUND"},
			{Name: "promote", Method: "PATCH", Path: e.chat("/rooms/" + priv.ID + "/members/" + bia.UserID), Header: apptest.Bearer(ana.Token),
				Body: map[string]any{"role": "owner"}, Status: 204},
			{Name: "new owner renames", Method: "PATCH", Path: e.chat("/rooms/" + priv.ID), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"name": "Board", "topic": "decisões"}, Status: 200, Contains: []string{`"name":"Board"`, `"topic":"decisões"`}},
			{Name: "archive", Method: "PATCH", Path: e.chat("/rooms/" + priv.ID), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"archived": true}, Status: 200, Contains: []string{`"archived_at":"`}},
			{Name: "archived is read-only", Method: "POST", Path: e.chat("/rooms/" + priv.ID + "/messages"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"content": "oi"}, Status: 409, Code: "CONFLICT"},
			{Name: "unarchive", Method: "PATCH", Path: e.chat("/rooms/" + priv.ID), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"archived": false}, Status: 200, Contains: []string{`"archived_at":null`}},
			{Name: "leave public", Method: "POST", Path: e.chat("/rooms/" + pub.ID + "/leave"), Header: apptest.Bearer(caio.Token), Status: 204},
		})
		// Bia was promoted; demote her again, then Ana (the only other
		// owner) leaves: the room keeps an owner.
		e.do(t, ana.Token, "PATCH", e.chat("/rooms/"+priv.ID+"/members/"+bia.UserID), map[string]any{"role": "member"}).Expect(t, 204)
		e.do(t, ana.Token, "POST", e.chat("/rooms/"+priv.ID+"/leave"), nil).Expect(t, 204)
		if r := e.room(t, bia.Token, priv.ID); r.Role != "owner" || slices.Contains(r.MemberIDs, ana.UserID) {
			t.Fatalf("after ana left: %+v", r)
		}

		// DMs: one per pair, whoever starts it; group DMs per member set.
		dm := e.createRoom(t, ana.Token, map[string]any{"type": "dm", "member_ids": []string{bia.UserID}})
		again := e.do(t, bia.Token, "POST", e.chat("/rooms"), map[string]any{"type": "dm", "member_ids": []string{ana.UserID}}).Expect(t, 200)
		var dm2 room
		again.Decode(t, &dm2)
		if dm2.ID != dm.ID || dm.Type != "dm" || len(dm.MemberIDs) != 2 {
			t.Fatalf("dm %+v, again %+v", dm, dm2)
		}
		g := e.createRoom(t, ana.Token, map[string]any{"type": "group_dm", "member_ids": []string{bia.UserID, caio.UserID}})
		g2 := e.createRoom(t, caio.Token, map[string]any{"type": "group_dm", "member_ids": []string{ana.UserID, bia.UserID}})
		if g.ID != g2.ID || len(g.MemberIDs) != 3 {
			t.Fatalf("group dm %+v vs %+v", g, g2)
		}
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "leave a DM", Method: "POST", Path: e.chat("/rooms/" + dm.ID + "/leave"), Header: apptest.Bearer(ana.Token),
				Status: 422, Code: "UNPROCESSABLE"},
			{Name: "add to a DM", Method: "POST", Path: e.chat("/rooms/" + g.ID + "/members"), Header: apptest.Bearer(ana.Token),
				Body: map[string]any{"user_ids": []string{e.tenant.Admin.UserID}}, Status: 422, Code: "UNPROCESSABLE"},
			{Name: "third party sees no DM", Method: "GET", Path: e.chat("/rooms/" + dm.ID), Header: apptest.Bearer(caio.Token),
				Status: 404, Code: "NOT_FOUND"},
			{Name: "group of one", Method: "POST", Path: e.chat("/rooms"), Header: apptest.Bearer(ana.Token),
				Body: map[string]any{"type": "group_dm", "member_ids": []string{bia.UserID}}, Status: 400, Code: "VALIDATION_ERROR"},
		})
		// Lists: mine, joinable public rooms.
		var mine, joinable struct {
			Data []room `json:"data"`
			Seq  int64  `json:"seq"`
		}
		e.do(t, caio.Token, "GET", e.chat("/rooms"), nil).Expect(t, 200).Decode(t, &mine)
		e.do(t, caio.Token, "GET", e.chat("/rooms?public=true"), nil).Expect(t, 200).Decode(t, &joinable)
		if len(mine.Data) != 1 || mine.Data[0].ID != g.ID || mine.Seq == 0 || len(joinable.Data) != 1 || joinable.Data[0].ID != pub.ID {
			t.Fatalf("caio's rooms %+v, joinable %+v", mine, joinable)
		}
		// Audit: membership changes and the archive are recorded.
		actions := map[string]bool{}
		for _, row := range e.h.AuditLog(admin, e.tenant.ID, nil) {
			actions[row.Action] = true
		}
		for _, a := range []string{"chat.room.created", "chat.member.added", "chat.member.removed", "chat.member.left", "chat.archived",
			"chat.member.role_changed"} {
			if !actions[a] {
				t.Errorf("audit lacks %s: %v", a, actions)
			}
		}
	})
}

// Concurrent creates of the same DM make one room.
func TestDMRace(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		ana, bia := e.member(t, "Ana"), e.member(t, "Bia")
		const n = 12
		ids := make([]string, n)
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, other := ana.Token, bia.UserID
				if i%2 == 1 {
					tok, other = bia.Token, ana.UserID
				}
				r := e.h.Do(apptest.Req{Method: "POST", Path: e.chat("/rooms"), Token: tok, Body: map[string]any{"type": "dm", "member_ids": []string{other}}})
				codes[i] = r.Status
				var rm room
				if r.Status == 200 || r.Status == 201 {
					r.Decode(t, &rm)
				}
				ids[i] = rm.ID
			}()
		}
		wg.Wait()
		created := 0
		for i := range n {
			if ids[i] == "" || ids[i] != ids[0] {
				t.Fatalf("create %d answered %d room %q, first %q", i, codes[i], ids[i], ids[0])
			}
			if codes[i] == http.StatusCreated {
				created++
			}
		}
		if created != 1 {
			t.Fatalf("%d creates answered 201", created)
		}
		if c := e.h.Count(`SELECT count(*) FROM chat_rooms WHERE account_id = $1 AND type = 'dm'`, e.tenant.ID); c != 1 {
			t.Fatalf("%d DM rows", c)
		}
		if c := e.h.Count(`SELECT count(*) FROM chat_members WHERE room_id = $1`, ids[0]); c != 2 {
			t.Fatalf("%d DM members", c)
		}
	})
}
