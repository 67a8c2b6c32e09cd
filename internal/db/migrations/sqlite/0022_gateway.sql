-- The WhatsApp ⇄ Chatwoot gateway: chats (one per customer or group per
-- number, tied to its Chatwoot contact and conversation) with every name
-- the person is known by, the message map whose unique keys on both sides
-- are the only dedupe, the ordered work lanes (per chat inbound, per
-- conversation outbound) whose dead items an admin replays, and the
-- per-number settings.
CREATE TABLE gateway_chats (
	id                TEXT PRIMARY KEY,
	account_id        TEXT NOT NULL REFERENCES accounts (id),
	instance_id       TEXT NOT NULL,
	chat_key          TEXT NOT NULL,
	kind              TEXT NOT NULL CHECK (kind IN ('user', 'group')),
	jid               TEXT NOT NULL DEFAULT '',
	phone             TEXT NOT NULL DEFAULT '',
	name              TEXT NOT NULL DEFAULT '',
	contact_id        INTEGER,
	contact_source_id TEXT NOT NULL DEFAULT '',
	conversation_id   INTEGER,
	last_inbound_at   DATETIME,
	created_at        DATETIME NOT NULL,
	updated_at        DATETIME NOT NULL
);
CREATE UNIQUE INDEX gateway_chats_key ON gateway_chats (account_id, instance_id, chat_key);
CREATE INDEX gateway_chats_conversation ON gateway_chats (account_id, instance_id, conversation_id);

CREATE TABLE gateway_aliases (
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	instance_id TEXT NOT NULL,
	alias       TEXT NOT NULL,
	chat_id     TEXT NOT NULL REFERENCES gateway_chats (id) ON DELETE CASCADE,
	PRIMARY KEY (account_id, instance_id, alias)
);

CREATE TABLE gateway_messages (
	id                  TEXT PRIMARY KEY,
	account_id          TEXT NOT NULL REFERENCES accounts (id),
	instance_id         TEXT NOT NULL,
	chat_id             TEXT NOT NULL REFERENCES gateway_chats (id),
	direction           TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	provider_message_id TEXT,
	cw_conversation_id  INTEGER,
	cw_message_id       INTEGER,
	part                INTEGER NOT NULL DEFAULT 0,
	parts               INTEGER NOT NULL DEFAULT 1,
	kind                TEXT NOT NULL DEFAULT 'text',
	status              TEXT NOT NULL,
	attempts            INTEGER NOT NULL DEFAULT 0,
	last_error          TEXT NOT NULL DEFAULT '',
	created_at          DATETIME NOT NULL,
	updated_at          DATETIME NOT NULL
);
CREATE UNIQUE INDEX gateway_messages_provider ON gateway_messages (account_id, instance_id, provider_message_id);
CREATE UNIQUE INDEX gateway_messages_chatwoot ON gateway_messages (account_id, cw_message_id, part);
CREATE INDEX gateway_messages_conversation ON gateway_messages (account_id, cw_conversation_id, created_at);
CREATE INDEX gateway_messages_day ON gateway_messages (account_id, instance_id, direction, created_at);

CREATE TABLE gateway_work (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	instance_id TEXT NOT NULL,
	lane        TEXT NOT NULL,
	seq         TEXT NOT NULL,
	dedupe_key  TEXT NOT NULL,
	source_id   TEXT NOT NULL DEFAULT '',
	execution_id TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL,
	payload     TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('queued', 'done', 'dead')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	next_at     DATETIME NOT NULL,
	created_at  DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX gateway_work_dedupe ON gateway_work (account_id, dedupe_key);
CREATE INDEX gateway_work_lane ON gateway_work (lane, status, seq);
CREATE INDEX gateway_work_ready ON gateway_work (status, next_at);
CREATE INDEX gateway_work_account ON gateway_work (account_id, status, updated_at);

CREATE TABLE gateway_settings (
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	instance_id TEXT NOT NULL,
	groups      TEXT NOT NULL DEFAULT 'contact' CHECK (groups IN ('contact', 'ignore')),
	updated_at  DATETIME NOT NULL,
	PRIMARY KEY (account_id, instance_id)
);

-- One drain per lane at a time: a lease, so a drain left by a crashed
-- process expires instead of blocking its lane.
CREATE TABLE gateway_lanes (
	lane        TEXT PRIMARY KEY,
	owner       TEXT NOT NULL,
	lease_until DATETIME NOT NULL
);

-- The gateway holds a chat's lane while an older message event of the
-- same number is stored but not handled yet (a crash left it to be
-- rescued): this partial index keeps that check to the few pending rows.
CREATE INDEX event_executions_pending ON event_executions (source, source_id, id)
	WHERE status IN ('received', 'processing', 'failed');
