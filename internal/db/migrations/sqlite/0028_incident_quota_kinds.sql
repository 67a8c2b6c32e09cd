-- Incidents gain the monthly message limit: messages_over_limit (the
-- plan's max_messages_per_month is used) and messages_near_limit (80% of
-- it), each with the month (YYYY-MM) as subject. SQLite cannot change a
-- CHECK constraint, so the table is rebuilt with its rows and indexes.
CREATE TABLE incidents_new (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	kind        TEXT NOT NULL CHECK (kind IN ('number_down', 'dead_letters', 'link_failing', 'messages_over_limit', 'messages_near_limit')),
	subject_id  TEXT NOT NULL,
	subject_name TEXT NOT NULL DEFAULT '',
	detail      TEXT NOT NULL DEFAULT '',
	opened_at   DATETIME NOT NULL,
	closed_at   DATETIME,
	notified_at DATETIME
);
INSERT INTO incidents_new (id, account_id, kind, subject_id, subject_name, detail, opened_at, closed_at, notified_at)
	SELECT id, account_id, kind, subject_id, subject_name, detail, opened_at, closed_at, notified_at FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_new RENAME TO incidents;
CREATE UNIQUE INDEX incidents_open ON incidents (account_id, kind, subject_id) WHERE closed_at IS NULL;
CREATE INDEX incidents_account ON incidents (account_id, opened_at);
