package chat

import (
	"github.com/whatpro/hub/internal/apidoc"
	"github.com/whatpro/hub/internal/httpx"
)

// APIDocs describes the internal chat routes for the API contract.
func APIDocs() apidoc.Ops {
	C := apidoc.Acct + "/chat"
	R := C + "/rooms/{roomID}"
	M := R + "/messages/{messageID}"
	obj, text := apidoc.Object, apidoc.Text
	integer := apidoc.Schema{"type": "integer"}
	list := func(item any, extra map[string]any) apidoc.Schema {
		props := map[string]any{"data": apidoc.Schema{"type": "array", "items": item}, "pagination": apidoc.Ref("Pagination")}
		for k, v := range extra {
			props[k] = v
		}
		return obj(props, "data", "pagination")
	}
	read := obj(map[string]any{"room_id": text, "user_id": text, "last_read_seq": integer, "unread_count": integer, "mention_count": integer},
		"room_id", "user_id", "last_read_seq")
	readBody := obj(map[string]any{"message_id": text})
	return apidoc.Tagged("Chat", apidoc.Ops{
		"GET " + C + "/people": {Summary: "The account's active members the chat can name and reach (id and name only)",
			Resp: list(Person{}, nil)},
		"GET " + C + "/rooms": {Summary: "The caller's rooms (or the public ones), with their last messages",
			Query: []apidoc.Param{{Name: "public", Description: "true: public rooms to join"}, {Name: "archived", Description: "true: archived rooms"}},
			Resp:  list(Room{}, map[string]any{"seq": integer})},
		"POST " + C + "/rooms": {Summary: "Create a channel or open a DM (200 with the existing DM)", Body: roomInput{}, Status: 201, Resp: Room{},
			Also: map[int]any{200: Room{}}},
		"GET " + R:               {Summary: "A room", Resp: Room{}},
		"PATCH " + R:             {Summary: "Rename, set the topic, archive or unarchive", Body: roomUpdate{}, Resp: Room{}},
		"GET " + R + "/members":  {Summary: "A room's members", Resp: list(memberView{}, nil)},
		"POST " + R + "/members": {Summary: "Add members", Body: obj(map[string]any{"user_ids": []string{}}), Resp: Room{}},
		"PATCH " + R + "/members/{userID}": {Summary: "Make a member an owner or a member",
			Body: obj(map[string]any{"role": text}), Status: 204},
		"DELETE " + R + "/members/{userID}": {Summary: "Remove a member", Status: 204},
		"POST " + R + "/join":               {Summary: "Join a public room", Resp: Room{}},
		"POST " + R + "/leave":              {Summary: "Leave a room", Status: 204},
		"PATCH " + R + "/settings": {Summary: "The caller's mute and hide settings for the room",
			Body: obj(map[string]any{"muted": true, "muted_until": apidoc.Schema{"type": []string{"string", "null"}}, "hidden": true}),
			Resp: obj(map[string]any{"room_id": text, "user_id": text, "muted": true, "muted_until": apidoc.Schema{}, "hidden": true}, "room_id", "user_id")},
		"POST " + R + "/read":   {Summary: "Mark read up to a message (the newest when none)", Body: readBody, Resp: read},
		"POST " + R + "/unread": {Summary: "Mark unread from a message on", Body: readBody, Resp: read},
		"GET " + R + "/messages": {Summary: "A page of messages: the newest, or around ?before= / ?after=",
			Query: []apidoc.Param{{Name: "before"}, {Name: "after"}, {Name: "around"}, {Name: "limit"}}, Resp: messagePage{}},
		"POST " + R + "/messages": {Summary: "Send a message (mentions, a reply, attachments, a Chatwoot conversation)",
			Body: messageInput{}, Status: 201, Resp: Message{}},
		"GET " + M:    {Summary: "A message", Resp: Message{}},
		"PATCH " + M:  {Summary: "Edit one's message", Body: obj(map[string]any{"content": text, "mention_ids": []string{}}), Resp: Message{}},
		"DELETE " + M: {Summary: "Delete a message, leaving a tombstone", Status: 204},
		"GET " + M + "/history": {Summary: "A message's earlier versions",
			Resp: list(edit{}, map[string]any{"message": Message{}})},
		"POST " + M + "/reactions":           {Summary: "React with an emoji", Body: obj(map[string]any{"emoji": text}), Resp: Message{}},
		"DELETE " + M + "/reactions/{emoji}": {Summary: "Take one's reaction back", Resp: Message{}},
		"POST " + M + "/pin":                 {Summary: "Pin a message", Resp: Message{}},
		"DELETE " + M + "/pin":               {Summary: "Unpin a message", Resp: Message{}},
		"GET " + M + "/conversation":         {Summary: "The Chatwoot conversation a message links to, for those who may see it", Resp: Card{}},
		"GET " + R + "/pins":                 {Summary: "A room's pinned messages", Resp: list(Message{}, nil)},
		"POST " + R + "/attachments": {Summary: "Upload an attachment (multipart field file), then send it with a message",
			BodyType: "multipart/form-data",
			Body:     apidoc.Object(map[string]any{"file": apidoc.Schema{"type": "string", "contentMediaType": "application/octet-stream"}}, "file"),
			Status:   201, Resp: Attachment{}},
		"GET " + C + "/attachments/{attachmentID}": {Summary: "Download an attachment", Content: "application/octet-stream"},
		"GET " + C + "/search": {Summary: "Search the messages of the caller's rooms",
			Query: append([]apidoc.Param{{Name: "q", Required: true}, {Name: "room_id"}}, apidoc.Paged...), Resp: httpx.Page[*Message]{}},
		"GET " + C + "/unread": {Summary: "Unread and mention counts per room",
			Resp: obj(map[string]any{"unread_count": integer, "mention_count": integer, "rooms": apidoc.Schema{"type": []string{"array", "null"}, "items": roomCount{}},
				"seq": integer}, "unread_count", "mention_count", "seq")},
		"GET " + C + "/presence": {Summary: "Who is online", Resp: list(presence{}, map[string]any{"ttl_seconds": integer})},
		"GET " + C + "/settings": {Summary: "The account's chat settings (retention)", Resp: Settings{}},
		"PUT " + C + "/settings": {Summary: "Set the message retention", Body: obj(map[string]any{"retention_days": integer}), Resp: Settings{}},
	})
}
