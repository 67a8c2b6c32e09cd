-- Identity: tenants (accounts), users, memberships, sessions with rotating
-- refresh tokens, API keys and login attempt counters.
CREATE TABLE accounts (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
	id                  TEXT PRIMARY KEY,
	email               TEXT UNIQUE,
	name                TEXT NOT NULL,
	password_hash       TEXT,
	locale              TEXT NOT NULL DEFAULT 'pt-BR',
	active              BOOLEAN NOT NULL DEFAULT TRUE,
	super_admin         BOOLEAN NOT NULL DEFAULT FALSE,
	totp_secret         TEXT,
	totp_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
	recovery_codes      TEXT,
	password_changed_at TIMESTAMPTZ,
	created_at          TIMESTAMPTZ NOT NULL,
	updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	user_id    TEXT NOT NULL REFERENCES users (id),
	role       TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
	status     TEXT NOT NULL CHECK (status IN ('active', 'invited', 'disabled', 'declined', 'removed')),
	invited_by TEXT,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
	id             TEXT PRIMARY KEY,
	user_id        TEXT NOT NULL REFERENCES users (id),
	ip             TEXT NOT NULL DEFAULT '',
	user_agent     TEXT NOT NULL DEFAULT '',
	mfa_pending    BOOLEAN NOT NULL DEFAULT FALSE,
	created_at     TIMESTAMPTZ NOT NULL,
	last_seen_at   TIMESTAMPTZ NOT NULL,
	expires_at     TIMESTAMPTZ NOT NULL,
	revoked_at     TIMESTAMPTZ,
	revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
	hash       TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES sessions (id),
	created_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	name         TEXT NOT NULL,
	prefix       TEXT NOT NULL UNIQUE,
	secret_hash  TEXT NOT NULL,
	scopes       TEXT NOT NULL,
	created_by   TEXT NOT NULL REFERENCES users (id),
	created_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ,
	expires_at   TIMESTAMPTZ,
	revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE login_attempts (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	ip         TEXT NOT NULL,
	succeeded  BOOLEAN NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, created_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, created_at);
