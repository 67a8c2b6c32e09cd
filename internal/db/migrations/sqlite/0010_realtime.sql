-- Realtime: every event a client may see, numbered per account without
-- gaps and in commit order (the head row is locked by each append until
-- its transaction commits), and the single-use tickets that open a
-- WebSocket. No foreign keys on events: purging old rows must stay cheap.
CREATE TABLE event_heads (
	account_id TEXT PRIMARY KEY,
	seq        INTEGER NOT NULL,
	floor      INTEGER NOT NULL DEFAULT 0,
	updated_at DATETIME NOT NULL
);

CREATE TABLE events (
	account_id TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	type       TEXT NOT NULL,
	topic      TEXT NOT NULL,
	scope      TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (account_id, seq)
);
CREATE INDEX events_created ON events (created_at);

CREATE TABLE realtime_tickets (
	hash       TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	kind       TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	session_id TEXT NOT NULL DEFAULT '',
	key_id     TEXT NOT NULL DEFAULT '',
	scopes     TEXT NOT NULL DEFAULT '[]',
	super_admin BOOLEAN NOT NULL DEFAULT 0,
	expires_at DATETIME NOT NULL,
	created_at DATETIME NOT NULL,
	used_at    DATETIME
);
CREATE INDEX realtime_tickets_expires ON realtime_tickets (expires_at);
