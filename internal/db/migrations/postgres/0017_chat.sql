-- Internal team chat: rooms (public, private, group DMs and 1:1 DMs, one
-- per member set by a unique key on the hashed sorted ids), members with
-- their read position and counts kept in the send transaction, messages
-- numbered per room (edits keep their history, deletes leave a tombstone),
-- reactions, attachments (bytes in the data dir or a bucket), the
-- per-account retention setting and presence.
CREATE TABLE chat_rooms (
	id              TEXT PRIMARY KEY,
	account_id      TEXT NOT NULL REFERENCES accounts (id),
	type            TEXT NOT NULL CHECK (type IN ('public', 'private', 'group_dm', 'dm')),
	name            TEXT NOT NULL DEFAULT '',
	name_key        TEXT,
	topic           TEXT NOT NULL DEFAULT '',
	dm_key          TEXT,
	created_by      TEXT NOT NULL DEFAULT '',
	last_seq        BIGINT NOT NULL DEFAULT 0,
	last_message_at TIMESTAMPTZ,
	archived_at     TIMESTAMPTZ,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX chat_rooms_account ON chat_rooms (account_id, type);
CREATE UNIQUE INDEX chat_rooms_dm ON chat_rooms (account_id, dm_key) WHERE dm_key IS NOT NULL;
CREATE UNIQUE INDEX chat_rooms_name ON chat_rooms (account_id, name_key) WHERE name_key IS NOT NULL;

CREATE TABLE chat_members (
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	room_id       TEXT NOT NULL REFERENCES chat_rooms (id),
	user_id       TEXT NOT NULL REFERENCES users (id),
	role          TEXT NOT NULL CHECK (role IN ('owner', 'member')),
	last_read_seq BIGINT NOT NULL DEFAULT 0,
	unread_count  INTEGER NOT NULL DEFAULT 0,
	mention_count INTEGER NOT NULL DEFAULT 0,
	muted         BOOLEAN NOT NULL DEFAULT FALSE,
	muted_until   TIMESTAMPTZ,
	hidden        BOOLEAN NOT NULL DEFAULT FALSE,
	joined_at     TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (room_id, user_id)
);
CREATE INDEX chat_members_user ON chat_members (account_id, user_id);

CREATE TABLE chat_messages (
	id              TEXT PRIMARY KEY,
	account_id      TEXT NOT NULL REFERENCES accounts (id),
	room_id         TEXT NOT NULL REFERENCES chat_rooms (id),
	seq             BIGINT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('text', 'system')),
	author_id       TEXT NOT NULL DEFAULT '',
	content         TEXT NOT NULL DEFAULT '',
	search_text     TEXT NOT NULL DEFAULT '',
	echo_id         TEXT,
	reply_to_id     TEXT,
	mentions        TEXT NOT NULL DEFAULT '[]',
	mentions_room   BOOLEAN NOT NULL DEFAULT FALSE,
	conversation_id INTEGER,
	system          TEXT NOT NULL DEFAULT '{}',
	pinned_at       TIMESTAMPTZ,
	pinned_by       TEXT,
	edited_at       TIMESTAMPTZ,
	deleted_at      TIMESTAMPTZ,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL,
	search_vector   tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
	UNIQUE (room_id, seq)
);
-- A retried send (same author, same echo_id) finds the first message.
CREATE UNIQUE INDEX chat_messages_echo ON chat_messages (account_id, author_id, echo_id) WHERE echo_id IS NOT NULL;
CREATE INDEX chat_messages_created ON chat_messages (account_id, created_at);
CREATE INDEX chat_messages_pinned ON chat_messages (room_id) WHERE pinned_at IS NOT NULL;
CREATE INDEX chat_messages_search ON chat_messages USING GIN (search_vector);

CREATE TABLE chat_message_edits (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	message_id TEXT NOT NULL REFERENCES chat_messages (id),
	content    TEXT NOT NULL,
	edited_by  TEXT NOT NULL,
	edited_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX chat_message_edits_message ON chat_message_edits (account_id, message_id, edited_at);

CREATE TABLE chat_reactions (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	message_id TEXT NOT NULL REFERENCES chat_messages (id),
	user_id    TEXT NOT NULL,
	emoji      TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (message_id, user_id, emoji)
);

-- An attachment without a message is an upload not yet sent, or one whose
-- message was deleted (orphaned_at set): the sweep removes its bytes.
CREATE TABLE chat_attachments (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	room_id      TEXT NOT NULL REFERENCES chat_rooms (id),
	message_id   TEXT REFERENCES chat_messages (id),
	uploader_id  TEXT NOT NULL,
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size_bytes   BIGINT NOT NULL,
	sha256       TEXT NOT NULL,
	storage      TEXT NOT NULL CHECK (storage IN ('local', 's3')),
	storage_key  TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	orphaned_at  TIMESTAMPTZ
);
CREATE INDEX chat_attachments_message ON chat_attachments (account_id, message_id);
CREATE INDEX chat_attachments_loose ON chat_attachments (created_at) WHERE message_id IS NULL;

CREATE TABLE chat_settings (
	account_id     TEXT PRIMARY KEY REFERENCES accounts (id),
	retention_days INTEGER NOT NULL DEFAULT 0 CHECK (retention_days >= 0),
	updated_by     TEXT NOT NULL DEFAULT '',
	updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE chat_presence (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	user_id    TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('online', 'away', 'offline')),
	expires_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, user_id)
);
CREATE INDEX chat_presence_expires ON chat_presence (expires_at) WHERE status <> 'offline';
