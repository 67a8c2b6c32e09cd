-- Chatwoot link: one linked Chatwoot account per hub account, identities
-- of Chatwoot users, their inbox memberships, instance tokens for embedded
-- pages, and the webhook events received from Chatwoot.
CREATE TABLE chatwoot_links (
	id                  TEXT PRIMARY KEY,
	account_id          TEXT NOT NULL UNIQUE REFERENCES accounts (id),
	origin              TEXT NOT NULL,
	base_url            TEXT NOT NULL,
	chatwoot_account_id INTEGER NOT NULL,
	api_token           TEXT NOT NULL,
	webhook_secret      TEXT,
	url_token           TEXT,
	url_token_enabled   BOOLEAN NOT NULL DEFAULT FALSE,
	extra_origins       TEXT NOT NULL DEFAULT '[]',
	status              TEXT NOT NULL DEFAULT 'ok',
	last_error          TEXT NOT NULL DEFAULT '',
	chatwoot_version    TEXT NOT NULL DEFAULT '',
	webhook_id          INTEGER,
	dashboard_app_id    INTEGER,
	last_checked_at     TIMESTAMPTZ,
	created_at          TIMESTAMPTZ NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL,
	UNIQUE (origin, chatwoot_account_id)
);

CREATE TABLE chatwoot_identities (
	origin           TEXT NOT NULL,
	chatwoot_user_id INTEGER NOT NULL,
	user_id          TEXT NOT NULL REFERENCES users (id),
	email            TEXT NOT NULL DEFAULT '',
	created_at       TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (origin, chatwoot_user_id)
);
CREATE INDEX chatwoot_identities_user ON chatwoot_identities (user_id);

CREATE TABLE chatwoot_inbox_members (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	user_id    TEXT NOT NULL REFERENCES users (id),
	inbox_id   INTEGER NOT NULL,
	synced_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, user_id, inbox_id)
);

CREATE TABLE instance_tokens (
	id         TEXT PRIMARY KEY,
	hash       TEXT NOT NULL UNIQUE,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	user_id    TEXT NOT NULL REFERENCES users (id),
	scopes     TEXT NOT NULL,
	origin     TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ
);
CREATE INDEX instance_tokens_user ON instance_tokens (account_id, user_id);

CREATE TABLE event_executions (
	id          TEXT PRIMARY KEY,
	account_id  TEXT NOT NULL REFERENCES accounts (id),
	source      TEXT NOT NULL,
	source_id   TEXT NOT NULL,
	event       TEXT NOT NULL,
	delivery_id TEXT NOT NULL,
	payload     TEXT,
	status      TEXT NOT NULL CHECK (status IN ('received', 'processing', 'done', 'failed', 'dead', 'ignored')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	received_at TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	UNIQUE (source, source_id, delivery_id)
);
CREATE INDEX event_executions_account ON event_executions (account_id, id);
CREATE INDEX event_executions_received ON event_executions (received_at);
