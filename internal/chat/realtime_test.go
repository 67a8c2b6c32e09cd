package chat_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/whatpro/hub/internal/apptest"
)

// The chat topic: live events of one's rooms only; a client that
// disconnects and resumes gets what it missed (edits and deletes too), in
// order, none twice; members added receive from then on, members removed
// stop at once; typing reaches the room's members.
func TestRealtimeChat(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		ana, bia, caio := e.member(t, "Ana"), e.member(t, "Bia"), e.member(t, "Caio")
		rm := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Time", "member_ids": []string{bia.UserID}})
		secret := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Segredo"})

		var list struct{ Seq int64 }
		e.do(t, bia.Token, "GET", e.chat("/rooms"), nil).Expect(t, 200).Decode(t, &list)
		bs := e.connect(t, bia.Token)
		bs.subscribe(&list.Seq)
		cs := e.connect(t, caio.Token)
		cs.subscribe(nil)

		// Bia sees her room, never the secret one.
		e.say(t, ana.Token, secret.ID, "ninguém vê")
		first := e.say(t, ana.Token, rm.ID, "olá time")
		got, before := bs.until(isEvent("chat.message.created"))
		if got.message(t).ID != first.ID || len(before) != 0 {
			t.Fatalf("bia got %+v after %+v", got, before)
		}

		// Bia disconnects; messages, an edit and a delete happen.
		last := got.Seq
		bs.ws.Close(websocket.StatusNormalClosure, "")
		m2 := e.say(t, ana.Token, rm.ID, "dois")
		m3 := e.say(t, ana.Token, rm.ID, "três")
		e.do(t, ana.Token, "PATCH", e.chat("/rooms/"+rm.ID+"/messages/"+m2.ID), map[string]any{"content": "dois (editado)"}).Expect(t, 200)
		e.do(t, ana.Token, "DELETE", e.chat("/rooms/"+rm.ID+"/messages/"+m3.ID), nil).Expect(t, 204)
		e.say(t, ana.Token, secret.ID, "ainda secreto")
		end := e.marker(t, ana.Token, rm.ID)

		back := e.connect(t, bia.Token)
		back.send(map[string]any{"type": "subscribe", "topics": []string{"chat"}, "last_seq": last})
		// What she missed comes replayed before "subscribed", or live after
		// it for events this instance had not heard of yet when it answered
		// (on PostgreSQL a notification may trail the commit): read both,
		// up to the marker, which must be the last.
		var got2 []msg
		subscribed := false
		for {
			m := back.next()
			if m.Type == "subscribed" {
				subscribed = true
				continue
			}
			if subscribed && m.Type != "event" {
				continue // live now: a ping or another's presence
			}
			got2 = append(got2, m)
			if m.Type == "event" && m.Event == "chat.message.created" && m.message(t).ID == end.ID {
				break
			}
		}
		if !subscribed {
			back.until(func(m msg) bool { return m.Type == "subscribed" })
		}
		var kinds []string
		var msgs []msg
		reads := 0
		seen := map[int64]bool{}
		prev := last
		for _, m := range got2 {
			if m.Type != "event" {
				t.Fatalf("replay holds %+v", m)
			}
			if seen[m.Seq] || m.Seq <= prev {
				t.Fatalf("replay out of order or twice at %d (prev %d)", m.Seq, prev)
			}
			seen[m.Seq], prev = true, m.Seq
			if m.Event == "chat.room.read" {
				// The delete took an unread message from her counts.
				reads++
				continue
			}
			if m.message(t).RoomID == secret.ID {
				t.Fatalf("bia was replayed the secret room: %s", m.Data)
			}
			kinds = append(kinds, m.Event)
			msgs = append(msgs, m)
		}
		if reads != 1 {
			t.Fatalf("%d read events replayed, want the delete's", reads)
		}
		want := []string{"chat.message.created", "chat.message.created", "chat.message.updated", "chat.message.deleted", "chat.message.created"}
		if len(kinds) != len(want) {
			t.Fatalf("replayed %v, want %v", kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Fatalf("replayed %v, want %v", kinds, want)
			}
		}
		if msgs[2].message(t).Content != "dois (editado)" || msgs[3].message(t).DeletedAt == nil || msgs[4].message(t).ID != end.ID {
			t.Fatalf("replayed data wrong: %s | %s", msgs[2].Data, msgs[3].Data)
		}

		// Caio is added: he receives the room from the member_added event
		// on, live; then he is removed and stops at once.
		e.do(t, ana.Token, "POST", e.chat("/rooms/"+rm.ID+"/members"), map[string]any{"user_ids": []string{caio.UserID}}).Expect(t, 200)
		added, pre := cs.until(isEvent("chat.room.member_added"))
		for _, m := range pre {
			if m.Type == "event" {
				t.Fatalf("caio got an event before being added: %s %s", m.Event, m.Data)
			}
		}
		var ad struct {
			UserIDs []string `json:"user_ids"`
		}
		_ = json.Unmarshal(added.Data, &ad)
		if len(ad.UserIDs) != 1 || ad.UserIDs[0] != caio.UserID {
			t.Fatalf("member_added %s", added.Data)
		}
		hello := e.say(t, ana.Token, rm.ID, "bem-vindo caio")
		sys, _ := cs.until(isEvent("chat.message.created"))
		if sys.message(t).System["action"] != "member_added" {
			t.Fatalf("caio's first message %s", sys.Data)
		}
		if m, _ := cs.until(isEvent("chat.message.created")); m.message(t).ID != hello.ID {
			t.Fatalf("caio's second message %s", m.Data)
		}
		// Typing reaches the room's other members, not outsiders.
		cs.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.typing", "data": map[string]any{"room_id": rm.ID, "typing": true}})
		typing, _ := back.until(func(m msg) bool { return m.Type == "ephemeral" })
		var td struct {
			RoomID string `json:"room_id"`
			UserID string `json:"user_id"`
			Typing bool   `json:"typing"`
		}
		_ = json.Unmarshal(typing.Data, &td)
		if td.RoomID != rm.ID || td.UserID != caio.UserID || !td.Typing {
			t.Fatalf("typing %s", typing.Data)
		}
		cs.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.typing", "data": map[string]any{"room_id": secret.ID}})
		if m, _ := cs.until(func(m msg) bool { return m.Type == "error" }); m.Code != "FORBIDDEN" {
			t.Fatalf("typing in a room not his: %+v", m)
		}

		e.do(t, ana.Token, "DELETE", e.chat("/rooms/"+rm.ID+"/members/"+caio.UserID), nil).Expect(t, 204)
		if m, _ := cs.until(isEvent("chat.room.member_removed")); m.Type != "event" {
			t.Fatal("no removal")
		}
		e.say(t, ana.Token, rm.ID, "caio não vê isto")
		// A later event in a room caio still shares proves the one above
		// never reached him.
		dm := e.createRoom(t, ana.Token, map[string]any{"type": "dm", "member_ids": []string{caio.UserID}})
		proof := e.say(t, ana.Token, dm.ID, "só para o caio")
		m, skipped := cs.until(func(m msg) bool {
			return m.Type == "event" && m.Event == "chat.message.created" && m.message(t).ID == proof.ID
		})
		for _, s := range append(skipped, m) {
			if s.Type == "event" && s.Event == "chat.message.created" && s.message(t).RoomID == rm.ID {
				t.Fatalf("caio received a message of a room he left: %s", s.Data)
			}
		}

		// Read markers go to their member alone.
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/read"), nil).Expect(t, 200)
		rd, _ := back.until(isEvent("chat.room.read"))
		var rdd struct {
			UserID      string `json:"user_id"`
			UnreadCount int    `json:"unread_count"`
		}
		_ = json.Unmarshal(rd.Data, &rdd)
		if rdd.UserID != bia.UserID || rdd.UnreadCount != 0 {
			t.Fatalf("read event %s", rd.Data)
		}
	})
}

// Removing a user from the account takes them out of every room at once:
// the rooms, their events and their attachments are closed to them.
func TestRemovedFromAccount(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		ana, bia := e.member(t, "Ana"), e.member(t, "Bia")
		rm := e.createRoom(t, ana.Token, map[string]any{"type": "private", "name": "Time", "member_ids": []string{bia.UserID}})
		dm := e.createRoom(t, ana.Token, map[string]any{"type": "dm", "member_ids": []string{bia.UserID}})
		up := e.upload(t, ana.Token, rm.ID, "a.txt", []byte("hello team")).Expect(t, 201)
		var att attachment
		up.Decode(t, &att)
		e.send(t, ana.Token, rm.ID, map[string]any{"content": "file", "attachment_ids": []string{att.ID}})
		e.do(t, bia.Token, "GET", att.URL, nil).Expect(t, 200)

		e.do(t, e.tenant.Admin.Token, "DELETE", e.path("/users/"+bia.UserID), nil).Expect(t, 204)
		for _, id := range []string{rm.ID, dm.ID} {
			if r := e.room(t, ana.Token, id); len(r.MemberIDs) != 1 {
				t.Fatalf("bia still in %s: %+v", id, r)
			}
		}
		if n := e.h.Count(`SELECT count(*) FROM chat_members WHERE user_id = $1`, bia.UserID); n != 0 {
			t.Fatalf("%d memberships left", n)
		}
		e.do(t, bia.Token, "GET", att.URL, nil).ExpectError(t, 404, "NOT_FOUND")
		p := e.messages(t, ana.Token, rm.ID, "")
		if last := p.Data[len(p.Data)-1]; last.Kind != "system" || last.System["action"] != "removed_from_account" {
			t.Fatalf("last message %+v", last)
		}
		if n := e.h.Count(`SELECT count(*) FROM audit_logs WHERE action = 'chat.member.removed_from_account' AND resource_id = $1`, rm.ID); n != 1 {
			t.Errorf("removal from the account audited %d times in the room, want 1", n)
		}
	})
}

// Presence: a heartbeat that changes the status reaches everyone in the
// chat, repeats do not; a presence not renewed lapses to offline.
func TestPresence(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		ana, bia := e.member(t, "Ana"), e.member(t, "Bia")
		rm := e.createRoom(t, ana.Token, map[string]any{"type": "dm", "member_ids": []string{bia.UserID}})
		as, bs := e.connect(t, ana.Token), e.connect(t, bia.Token)
		as.subscribe(nil)
		bs.subscribe(nil)
		bs.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.presence", "data": map[string]any{"status": "online"}})
		bs.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.presence", "data": map[string]any{"status": "online"}})
		bs.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.presence", "data": map[string]any{"status": "away"}})
		var got []string
		for len(got) < 2 {
			m, _ := as.until(func(m msg) bool { return m.Type == "ephemeral" })
			var d struct {
				UserID string `json:"user_id"`
				Status string `json:"status"`
			}
			_ = json.Unmarshal(m.Data, &d)
			if d.UserID != bia.UserID {
				t.Fatalf("presence of %s", m.Data)
			}
			got = append(got, d.Status)
		}
		if got[0] != "online" || got[1] != "away" {
			t.Fatalf("presence events %v (the repeat must not be sent)", got)
		}
		var list struct {
			Data []struct {
				UserID string `json:"user_id"`
				Status string `json:"status"`
			} `json:"data"`
		}
		e.do(t, ana.Token, "GET", e.chat("/presence"), nil).Expect(t, 200).Decode(t, &list)
		if len(list.Data) != 1 || list.Data[0].Status != "away" {
			t.Fatalf("presence list %+v", list)
		}
		bs.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.presence", "data": map[string]any{"status": "busy"}})
		if m, _ := bs.until(func(m msg) bool { return m.Type == "error" }); m.Code != "BAD_REQUEST" {
			t.Fatalf("bad status: %+v", m)
		}
		// Lapse: the heartbeat is in the past; the sweep says offline.
		e.h.Exec(`UPDATE chat_presence SET expires_at = $1 WHERE user_id = $2`, time.Now().UTC().Add(-time.Minute), bia.UserID)
		if err := e.h.App.Chat.SweepPresence(context.Background()); err != nil {
			t.Fatal(err)
		}
		m, _ := as.until(func(m msg) bool { return m.Type == "ephemeral" })
		if !strings.Contains(string(m.Data), `"status":"offline"`) {
			t.Fatalf("lapsed presence %s", m.Data)
		}
		e.do(t, ana.Token, "GET", e.chat("/presence"), nil).Expect(t, 200).Decode(t, &list)
		if len(list.Data) != 0 {
			t.Fatalf("presence after the lapse %+v", list)
		}
		_ = rm
	})
}

// Presence follows the connection: a person whose last chat socket closes
// is offline for everyone at once; while another of their sockets is
// open, closing one changes nothing.
func TestPresenceOfflineWhenLastSocketCloses(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		ana, bia := e.member(t, "Ana"), e.member(t, "Bia")
		e.createRoom(t, ana.Token, map[string]any{"type": "dm", "member_ids": []string{bia.UserID}})
		as, b1, b2 := e.connect(t, ana.Token), e.connect(t, bia.Token), e.connect(t, bia.Token)
		as.subscribe(nil)
		b1.subscribe(nil)
		b2.subscribe(nil)
		status := func() string {
			m, _ := as.until(func(m msg) bool { return m.Type == "ephemeral" })
			var d struct {
				UserID string `json:"user_id"`
				Status string `json:"status"`
			}
			_ = json.Unmarshal(m.Data, &d)
			if d.UserID != bia.UserID {
				t.Fatalf("presence of %s", m.Data)
			}
			return d.Status
		}
		b1.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.presence", "data": map[string]any{"status": "online"}})
		if got := status(); got != "online" {
			t.Fatalf("first status %q", got)
		}
		// One of Bia's two sockets closes: she is still connected, so the
		// next thing Ana hears is the status the other socket sends.
		b1.ws.Close(websocket.StatusNormalClosure, "")
		b2.send(map[string]any{"type": "publish", "topic": "chat", "event": "chat.presence", "data": map[string]any{"status": "away"}})
		if got := status(); got != "away" {
			t.Fatalf("after one socket closed Ana heard %q, want away", got)
		}
		b2.ws.Close(websocket.StatusNormalClosure, "")
		if got := status(); got != "offline" {
			t.Fatalf("after the last socket closed Ana heard %q, want offline", got)
		}
		var list struct {
			Data []struct{} `json:"data"`
		}
		e.do(t, ana.Token, "GET", e.chat("/presence"), nil).Expect(t, 200).Decode(t, &list)
		if len(list.Data) != 0 {
			t.Fatalf("presence after leaving %+v", list)
		}
	})
}
