-- The event spine. An event is stored once per dedupe key its source
-- chooses (what a signature covers, a Chatwoot message id, a Meta wamid):
-- the delivery_id column, unique per (source, source_id) since 0004, now
-- holds that key, and delivery_header keeps the sender's delivery header,
-- which is shown to admins but not signed, so it never decides.
-- job_payload is the copy consumers read when it differs from the
-- displayed one (URLs keep their query there).
ALTER TABLE event_executions ADD COLUMN delivery_header TEXT NOT NULL DEFAULT '';
ALTER TABLE event_executions ADD COLUMN job_payload TEXT;
UPDATE event_executions SET delivery_header = delivery_id;

-- One consumer's execution of an event: its own status, attempts and error.
CREATE TABLE event_runs (
	event_id   TEXT NOT NULL REFERENCES event_executions (id),
	account_id TEXT NOT NULL,
	consumer   TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('received', 'processing', 'done', 'failed', 'dead', 'ignored')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (event_id, consumer)
);
CREATE INDEX event_runs_account ON event_runs (account_id, event_id);

-- Platform events: the signed time of the last one applied per subject
-- (an account, or an account's e-mail), so an older one changes nothing.
CREATE TABLE platform_event_subjects (
	subject TEXT PRIMARY KEY,
	last_at BIGINT NOT NULL
);

-- A hub-managed API inbox's callback token (encrypted): Chatwoot before
-- 4.13 signs no inbox callback, so the callback URL carries it.
ALTER TABLE inboxes ADD COLUMN url_token TEXT;
