package chat_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/whatpro/hub/internal/apptest"
)

// Sends, mentions and the counts kept with them; read, unread, mute and
// hide; echo ids; edits with history; deletes; reactions; pins; paging.
func TestMessagesAndCounts(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, dialect string) {
		t.Parallel()
		e := setup(t, dialect)
		admin := e.tenant.Admin
		ana, bia, bia2, caio := e.member(t, "Ana Souza"), e.member(t, "Bia Lima"), e.member(t, "Bia Costa"), e.member(t, "Caio Reis")
		rm := e.createRoom(t, ana.Token, map[string]any{"type": "public", "name": "Vendas",
			"member_ids": []string{bia.UserID, bia2.UserID, caio.UserID, admin.UserID}})

		// System messages (room created, member added) never count.
		if u := e.unread(t, bia.Token); u.UnreadCount != 0 {
			t.Fatalf("system messages counted: %+v", u)
		}
		// @full name, unambiguous @first name, mention_ids; ambiguous
		// @Bia, code and e-mail addresses mention nobody.
		m1 := e.send(t, ana.Token, rm.ID, map[string]any{"content": "@Bia Lima e @caio, veja `@Bia Costa` ana@bia.com @Bia",
			"mention_ids": []string{bia2.UserID, "not-a-member"}, "echo_id": "e-1"})
		if !slices.Equal(m1.Mentions, []string{bia2.UserID, bia.UserID, caio.UserID}) || m1.MentionsRoom {
			t.Fatalf("mentions %v, want bia2 (ids), bia, caio", m1.Mentions)
		}
		// A retried send with the same echo id answers the first message.
		again := e.do(t, ana.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages"), map[string]any{"content": "whatever", "echo_id": "e-1"}).Expect(t, 200)
		var m1b message
		again.Decode(t, &m1b)
		if m1b.ID != m1.ID || m1b.Content != m1.Content {
			t.Fatalf("retry answered %+v", m1b)
		}
		other := e.createRoom(t, ana.Token, map[string]any{"type": "public", "name": "Outra"})
		e.do(t, ana.Token, "POST", e.chat("/rooms/"+other.ID+"/messages"), map[string]any{"content": "x", "echo_id": "e-1"}).
			ExpectError(t, 409, "CONFLICT")
		// @room only for owners and admins.
		byCaio := e.say(t, caio.Token, rm.ID, "@room atenção")
		byAdmin := e.say(t, admin.Token, rm.ID, "@room reunião às 15h")
		if byCaio.MentionsRoom || !byAdmin.MentionsRoom {
			t.Fatalf("@room: member %v admin %v", byCaio.MentionsRoom, byAdmin.MentionsRoom)
		}
		// Counts: bia has 3 unread (m1, caio's, admin's), 2 mentions.
		for _, c := range []struct {
			who              *person
			unread, mentions int
		}{{bia, 3, 2}, {bia2, 3, 2}, {caio, 1, 1}, {ana, 2, 1}} {
			r := e.room(t, c.who.Token, rm.ID)
			if r.UnreadCount != c.unread || r.MentionCount != c.mentions {
				t.Errorf("%s: unread %d mentions %d, want %d %d", c.who.name, r.UnreadCount, r.MentionCount, c.unread, c.mentions)
			}
		}
		if u := e.unread(t, bia.Token); u.UnreadCount != 3 || u.MentionCount != 2 || len(u.Rooms) != 1 {
			t.Fatalf("bia's badge %+v", u)
		}
		// Mark read up to m1, then all; mark unread from byCaio.
		var rd map[string]any
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/read"), map[string]any{"message_id": m1.ID}).Expect(t, 200).Decode(t, &rd)
		if rd["unread_count"] != 2.0 || rd["mention_count"] != 1.0 {
			t.Fatalf("read to m1: %v", rd)
		}
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/read"), nil).Expect(t, 200)
		if u := e.unread(t, bia.Token); u.UnreadCount != 0 || u.MentionCount != 0 {
			t.Fatalf("after read: %+v", u)
		}
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/unread"), map[string]any{"message_id": byCaio.ID}).Expect(t, 200).Decode(t, &rd)
		if rd["unread_count"] != 2.0 || rd["mention_count"] != 1.0 {
			t.Fatalf("unread from caio's: %v", rd)
		}
		// Muted rooms leave the badge; a mute that ran out counts again.
		e.do(t, bia.Token, "PATCH", e.chat("/rooms/"+rm.ID+"/settings"), map[string]any{"muted": true}).Expect(t, 200)
		if u := e.unread(t, bia.Token); u.UnreadCount != 0 || len(u.Rooms) != 1 {
			t.Fatalf("muted room in the badge: %+v", u)
		}
		e.do(t, bia.Token, "PATCH", e.chat("/rooms/"+rm.ID+"/settings"), map[string]any{"muted_until": time.Now().Add(-time.Hour).Format(time.RFC3339)}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		e.do(t, bia.Token, "PATCH", e.chat("/rooms/"+rm.ID+"/settings"), map[string]any{"muted": false, "hidden": true}).Expect(t, 200)
		if r := e.room(t, bia.Token, rm.ID); !r.Hidden || r.Muted {
			t.Fatalf("settings: %+v", r)
		}
		// A new message unhides; the author's own counts are zero.
		reply := e.send(t, caio.Token, rm.ID, map[string]any{"content": "respondendo", "reply_to_id": m1.ID})
		if reply.ReplyTo == nil || reply.ReplyTo.Excerpt == "" {
			t.Fatalf("reply preview: %+v", reply)
		}
		if r := e.room(t, bia.Token, rm.ID); r.Hidden || r.UnreadCount != 3 {
			t.Fatalf("after a new message: %+v", r)
		}
		if r := e.room(t, caio.Token, rm.ID); r.UnreadCount != 0 || r.LastReadSeq != reply.Seq {
			t.Fatalf("author's own counts: %+v", r)
		}

		// Edit: author only, history kept, a new mention counts for
		// whoever has it unread.
		e.do(t, bia.Token, "PATCH", e.chat("/rooms/"+rm.ID+"/messages/"+reply.ID), map[string]any{"content": "x"}).ExpectError(t, 403, "FORBIDDEN")
		var edited message
		e.do(t, caio.Token, "PATCH", e.chat("/rooms/"+rm.ID+"/messages/"+reply.ID), map[string]any{"content": "respondendo @Ana Souza"}).
			Expect(t, 200).Decode(t, &edited)
		if edited.EditedAt == nil || !slices.Contains(edited.Mentions, ana.UserID) {
			t.Fatalf("edited: %+v", edited)
		}
		if r := e.room(t, ana.Token, rm.ID); r.MentionCount != 2 {
			t.Fatalf("ana's mentions after the edit: %d", r.MentionCount)
		}
		var hist struct {
			Data []struct{ Content string } `json:"data"`
		}
		e.do(t, bia.Token, "GET", e.chat("/rooms/"+rm.ID+"/messages/"+reply.ID+"/history"), nil).Expect(t, 200).Decode(t, &hist)
		if len(hist.Data) != 1 || hist.Data[0].Content != "respondendo" {
			t.Fatalf("history %+v", hist)
		}

		// Reactions and pins.
		var reacted message
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+m1.ID+"/reactions"), map[string]any{"emoji": "👍"}).Expect(t, 200)
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+m1.ID+"/reactions"), map[string]any{"emoji": "👍"}).Expect(t, 200)
		e.do(t, caio.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+m1.ID+"/reactions"), map[string]any{"emoji": "👍"}).Expect(t, 200).Decode(t, &reacted)
		if len(reacted.Reactions) != 1 || reacted.Reactions[0].Count != 2 {
			t.Fatalf("reactions %+v", reacted.Reactions)
		}
		e.do(t, caio.Token, "DELETE", e.chat("/rooms/"+rm.ID+"/messages/"+m1.ID+"/reactions/%F0%9F%91%8D"), nil).Expect(t, 200).Decode(t, &reacted)
		if reacted.Reactions[0].Count != 1 || reacted.Reactions[0].UserIDs[0] != bia.UserID {
			t.Fatalf("after unreact %+v", reacted.Reactions)
		}
		e.do(t, bia.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+m1.ID+"/reactions"), map[string]any{"emoji": "two words"}).
			ExpectError(t, 400, "VALIDATION_ERROR")
		pinned := e.do(t, caio.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+m1.ID+"/pin"), nil).Expect(t, 200)
		var pm message
		pinned.Decode(t, &pm)
		if pm.PinnedAt == nil {
			t.Fatal("not pinned")
		}
		for i := range 49 {
			m := e.say(t, ana.Token, rm.ID, fmt.Sprintf("pin %d", i))
			e.do(t, ana.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+m.ID+"/pin"), nil).Expect(t, 200)
		}
		extra := e.say(t, ana.Token, rm.ID, "one too many")
		e.do(t, ana.Token, "POST", e.chat("/rooms/"+rm.ID+"/messages/"+extra.ID+"/pin"), nil).ExpectError(t, 422, "UNPROCESSABLE")
		var pins struct{ Data []message }
		e.do(t, bia.Token, "GET", e.chat("/rooms/"+rm.ID+"/pins"), nil).Expect(t, 200).Decode(t, &pins)
		if len(pins.Data) != 50 {
			t.Fatalf("%d pins", len(pins.Data))
		}

		// Delete: a tombstone; bia, who had it unread, loses one from her
		// counts; others may not delete; owners may.
		before := e.room(t, bia.Token, rm.ID)
		e.do(t, bia.Token, "DELETE", e.chat("/rooms/"+rm.ID+"/messages/"+extra.ID), nil).ExpectError(t, 403, "FORBIDDEN")
		e.do(t, ana.Token, "DELETE", e.chat("/rooms/"+rm.ID+"/messages/"+extra.ID), nil).Expect(t, 204)
		e.do(t, ana.Token, "DELETE", e.chat("/rooms/"+rm.ID+"/messages/"+reply.ID), nil).Expect(t, 204) // owner deletes caio's
		after := e.room(t, bia.Token, rm.ID)
		if after.UnreadCount != before.UnreadCount-2 {
			t.Fatalf("bia's unread %d → %d after two deletes", before.UnreadCount, after.UnreadCount)
		}
		var dead message
		e.do(t, bia.Token, "GET", e.chat("/rooms/"+rm.ID+"/messages/"+reply.ID), nil).Expect(t, 200).Decode(t, &dead)
		if dead.DeletedAt == nil || dead.Content != "" || len(dead.Mentions) != 0 {
			t.Fatalf("tombstone %+v", dead)
		}
		e.do(t, caio.Token, "PATCH", e.chat("/rooms/"+rm.ID+"/messages/"+reply.ID), map[string]any{"content": "back"}).ExpectError(t, 409, "CONFLICT")
		e.do(t, bia.Token, "GET", e.chat("/rooms/"+rm.ID+"/messages/"+reply.ID+"/history"), nil).Expect(t, 200).Decode(t, &hist)
		if len(hist.Data) != 0 {
			t.Fatalf("a deleted message keeps its history: %+v", hist)
		}

		// Paging: newest, before, after, around; tombstones in place.
		all := e.messages(t, bia.Token, rm.ID, "?limit=200")
		n := len(all.Data)
		for i := 1; i < n; i++ {
			if all.Data[i].Seq != all.Data[i-1].Seq+1 {
				t.Fatalf("gap or order at %d: %d after %d", i, all.Data[i].Seq, all.Data[i-1].Seq)
			}
		}
		last10 := e.messages(t, bia.Token, rm.ID, "?limit=10")
		if len(last10.Data) != 10 || !last10.HasMoreBefore || last10.Data[9].ID != all.Data[n-1].ID {
			t.Fatalf("newest page %+v", last10)
		}
		prev := e.messages(t, bia.Token, rm.ID, "?limit=10&before="+last10.Data[0].ID)
		if prev.Data[9].Seq != last10.Data[0].Seq-1 || !prev.HasMoreAfter {
			t.Fatalf("before page ends at %d, want %d", prev.Data[9].Seq, last10.Data[0].Seq-1)
		}
		next := e.messages(t, bia.Token, rm.ID, "?limit=5&after="+all.Data[0].ID)
		if next.Data[0].Seq != all.Data[1].Seq || len(next.Data) != 5 || !next.HasMoreAfter {
			t.Fatalf("after page %+v", next)
		}
		mid := all.Data[n/2]
		around := e.messages(t, bia.Token, rm.ID, "?limit=7&around="+mid.ID)
		if len(around.Data) != 7 || around.Data[3].ID != mid.ID {
			t.Fatalf("around page centred on %d: %+v", mid.Seq, around.Data)
		}
		apptest.Run(t, e.h, []apptest.Scenario{
			{Name: "two anchors", Method: "GET", Path: e.chat("/rooms/" + rm.ID + "/messages?before=" + mid.ID + "&after=" + mid.ID),
				Header: apptest.Bearer(bia.Token), Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "anchor of another room", Method: "GET", Path: e.chat("/rooms/" + other.ID + "/messages?before=" + mid.ID),
				Header: apptest.Bearer(ana.Token), Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "limit", Method: "GET", Path: e.chat("/rooms/" + rm.ID + "/messages?limit=201"), Header: apptest.Bearer(bia.Token),
				Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "empty message", Method: "POST", Path: e.chat("/rooms/" + rm.ID + "/messages"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"content": "  \n"}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "too long", Method: "POST", Path: e.chat("/rooms/" + rm.ID + "/messages"), Header: apptest.Bearer(bia.Token),
				Body: map[string]any{"content": string(make([]rune, 10001))}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "reply to another room's message", Method: "POST", Path: e.chat("/rooms/" + other.ID + "/messages"), Header: apptest.Bearer(ana.Token),
				Body: map[string]any{"content": "x", "reply_to_id": mid.ID}, Status: 400, Code: "VALIDATION_ERROR"},
			{Name: "react to a system message", Method: "POST", Path: e.chat("/rooms/" + rm.ID + "/messages/" + all.Data[0].ID + "/reactions"),
				Header: apptest.Bearer(bia.Token), Body: map[string]any{"emoji": "👍"}, Status: 409, Code: "CONFLICT"},
		})
		if all.Data[0].Kind != "system" || all.Data[0].System["action"] != "room_created" {
			t.Fatalf("first message %+v", all.Data[0])
		}
		if c := e.h.Count(`SELECT count(*) FROM audit_logs WHERE account_id = $1 AND action = 'chat.message.deleted'`, e.tenant.ID); c != 2 {
			t.Fatalf("%d deletions audited", c)
		}
	})
}
