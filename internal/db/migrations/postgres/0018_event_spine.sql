-- The event spine. An event is stored once per dedupe key its source
-- chooses (what a signature covers, a message id, a Meta wamid), not per
-- delivery header; job_payload is the copy consumers read when it differs
-- from the displayed one (URLs keep their query there). Each consumer's
-- execution of an event is its own row with its own status and attempts.
ALTER TABLE event_executions ADD COLUMN dedupe_key TEXT;
UPDATE event_executions SET dedupe_key = delivery_id;
ALTER TABLE event_executions ALTER COLUMN dedupe_key SET NOT NULL;
ALTER TABLE event_executions ADD COLUMN job_payload TEXT;
ALTER TABLE event_executions DROP CONSTRAINT event_executions_source_source_id_delivery_id_key;
ALTER TABLE event_executions ADD CONSTRAINT event_executions_dedupe UNIQUE (source, source_id, dedupe_key);

CREATE TABLE event_runs (
	event_id   TEXT NOT NULL REFERENCES event_executions (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL,
	consumer   TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('received', 'processing', 'done', 'failed', 'dead', 'ignored')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (event_id, consumer)
);

-- Platform events: the signed time of the last one applied per subject
-- (an account, or an account's e-mail), so an older one changes nothing.
CREATE TABLE platform_event_subjects (
	subject    TEXT PRIMARY KEY,
	last_at    BIGINT NOT NULL
);
