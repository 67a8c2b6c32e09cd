-- The event spine. An event is stored once per dedupe key its source
-- chooses (what a signature covers, a message id, a Meta wamid), not per
-- delivery header; job_payload is the copy consumers read when it differs
-- from the displayed one (URLs keep their query there). Each consumer's
-- execution of an event is its own row with its own status and attempts.
-- SQLite cannot drop a table constraint, so the events table is rebuilt.
CREATE TABLE event_executions_spine (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	source      TEXT NOT NULL,
	source_id   TEXT NOT NULL,
	event       TEXT NOT NULL,
	delivery_id TEXT NOT NULL,
	dedupe_key  TEXT NOT NULL,
	payload     TEXT,
	job_payload TEXT,
	status      TEXT NOT NULL CHECK (status IN ('received', 'processing', 'done', 'failed', 'dead', 'ignored')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	received_at DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL,
	UNIQUE (source, source_id, dedupe_key)
);
INSERT INTO event_executions_spine (id, account_id, source, source_id, event, delivery_id, dedupe_key, payload,
	status, attempts, last_error, received_at, updated_at)
	SELECT id, account_id, source, source_id, event, delivery_id, delivery_id, payload,
	status, attempts, last_error, received_at, updated_at FROM event_executions;
DROP TABLE event_executions;
ALTER TABLE event_executions_spine RENAME TO event_executions;
CREATE INDEX event_executions_account ON event_executions (account_id, id);
CREATE INDEX event_executions_received ON event_executions (received_at);

CREATE TABLE event_runs (
	event_id   TEXT NOT NULL REFERENCES event_executions (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL,
	consumer   TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('received', 'processing', 'done', 'failed', 'dead', 'ignored')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (event_id, consumer)
);

-- Platform events: the signed time of the last one applied per subject
-- (an account, or an account's e-mail), so an older one changes nothing.
CREATE TABLE platform_event_subjects (
	subject    TEXT PRIMARY KEY,
	last_at    BIGINT NOT NULL
);
