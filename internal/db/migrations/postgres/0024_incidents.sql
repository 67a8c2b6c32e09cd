-- Incidents: a number that dropped, dead gateway work, a failing Chatwoot
-- link. At most one open incident per (account, kind, subject): the alerts
-- check opens it (a no-op while one is open), mails the account's admins
-- once (notified_at) and closes it when the subject is healthy again.
CREATE TABLE incidents (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	kind        TEXT NOT NULL CHECK (kind IN ('number_down', 'dead_letters', 'link_failing')),
	subject_id  TEXT NOT NULL,
	subject_name TEXT NOT NULL DEFAULT '',
	detail      TEXT NOT NULL DEFAULT '',
	opened_at   TIMESTAMPTZ NOT NULL,
	closed_at   TIMESTAMPTZ,
	notified_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX incidents_open ON incidents (account_id, kind, subject_id) WHERE closed_at IS NULL;
CREATE INDEX incidents_account ON incidents (account_id, opened_at);
