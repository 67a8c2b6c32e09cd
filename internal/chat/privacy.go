package chat

import "github.com/whatpro/hub/internal/privacy"

// PrivacySections are the account's team chat in its export: rooms,
// members, messages with their edits and reactions, and attachments'
// descriptions (their bytes stay in the store; no storage key is shown).
func PrivacySections() []privacy.Section {
	return []privacy.Section{
		{Name: "chat_rooms", Query: `SELECT id, type, name, topic, created_by, archived_at, created_at, updated_at FROM chat_rooms
			WHERE account_id = $1 ORDER BY created_at, id`},
		{Name: "chat_members", Query: `SELECT room_id, user_id, role, joined_at FROM chat_members WHERE account_id = $1
			ORDER BY room_id, joined_at, user_id`},
		{Name: "chat_messages", Query: `SELECT id, room_id, seq, kind, author_id, content, reply_to_id, mentions, conversation_id,
			pinned_at, pinned_by, edited_at, deleted_at, created_at FROM chat_messages WHERE account_id = $1 ORDER BY room_id, seq`,
			JSON: []string{"mentions"}},
		{Name: "chat_message_edits", Query: `SELECT id, message_id, content, edited_by, edited_at FROM chat_message_edits
			WHERE account_id = $1 ORDER BY edited_at, id`},
		{Name: "chat_reactions", Query: `SELECT message_id, user_id, emoji, created_at FROM chat_reactions WHERE account_id = $1
			ORDER BY created_at, message_id, user_id`},
		{Name: "chat_attachments", Query: `SELECT id, room_id, message_id, uploader_id, filename, content_type, size_bytes, sha256,
			created_at FROM chat_attachments WHERE account_id = $1 ORDER BY created_at, id`},
	}
}
