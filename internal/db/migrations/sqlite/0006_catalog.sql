-- Tenant catalog: plans and per-account plan with overrides, daily usage,
-- the mirror of each linked account's Chatwoot inboxes and its syncs,
-- WhatsApp providers and their instances (one number each).
CREATE TABLE plans (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	limits      TEXT NOT NULL,
	features    TEXT NOT NULL,
	archived_at DATETIME,
	created_at  DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL
);

CREATE TABLE account_plans (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id),
	plan_id    TEXT NOT NULL REFERENCES plans (id),
	overrides  TEXT NOT NULL DEFAULT '{}',
	updated_at DATETIME NOT NULL
);

CREATE TABLE usage_daily (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	day        TEXT NOT NULL,
	metric     TEXT NOT NULL,
	value      INTEGER NOT NULL,
	PRIMARY KEY (account_id, day, metric)
);

CREATE TABLE inboxes (
	id                TEXT PRIMARY KEY,
	account_id        TEXT NOT NULL REFERENCES accounts (id),
	chatwoot_inbox_id INTEGER,
	name              TEXT NOT NULL,
	channel_type      TEXT NOT NULL DEFAULT '',
	webhook_url       TEXT NOT NULL DEFAULT '',
	avatar_url        TEXT NOT NULL DEFAULT '',
	managed           BOOLEAN NOT NULL DEFAULT 0,
	state             TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('pending', 'active')),
	secret            TEXT,
	first_seen_at     DATETIME NOT NULL,
	last_seen_at      DATETIME NOT NULL,
	removed_at        DATETIME,
	UNIQUE (account_id, chatwoot_inbox_id)
);

CREATE TABLE inbox_syncs (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	trigger     TEXT NOT NULL DEFAULT 'manual',
	total       INTEGER NOT NULL DEFAULT 0,
	created     INTEGER NOT NULL DEFAULT 0,
	updated     INTEGER NOT NULL DEFAULT 0,
	removed     INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	created_at  DATETIME NOT NULL,
	started_at  DATETIME,
	finished_at DATETIME
);
CREATE INDEX inbox_syncs_account ON inbox_syncs (account_id, status);

CREATE TABLE providers (
	id              TEXT PRIMARY KEY,
	account_id      TEXT NOT NULL REFERENCES accounts (id),
	name            TEXT NOT NULL,
	type            TEXT NOT NULL,
	base_url        TEXT NOT NULL,
	credentials     TEXT NOT NULL,
	verify_token    TEXT NOT NULL,
	webhook_token   TEXT NOT NULL,
	health_status   TEXT NOT NULL DEFAULT 'unknown',
	health_details  TEXT NOT NULL DEFAULT '',
	last_checked_at DATETIME,
	created_at      DATETIME NOT NULL,
	updated_at      DATETIME NOT NULL,
	UNIQUE (account_id, name)
);

CREATE TABLE provider_instances (
	id                TEXT PRIMARY KEY,
	account_id        TEXT NOT NULL REFERENCES accounts (id),
	provider_id       TEXT NOT NULL REFERENCES providers (id),
	name              TEXT NOT NULL,
	phone_number_id   TEXT NOT NULL DEFAULT '',
	phone_number      TEXT NOT NULL DEFAULT '',
	display_name      TEXT NOT NULL DEFAULT '',
	status            TEXT NOT NULL DEFAULT 'disconnected'
		CHECK (status IN ('disconnected', 'connecting', 'qr_required', 'connected', 'error')),
	inbox_id          TEXT REFERENCES inboxes (id),
	webhook_secret    TEXT NOT NULL,
	last_error        TEXT NOT NULL DEFAULT '',
	status_changed_at DATETIME NOT NULL,
	created_at        DATETIME NOT NULL,
	updated_at        DATETIME NOT NULL,
	UNIQUE (provider_id, name)
);
CREATE INDEX provider_instances_account ON provider_instances (account_id);
