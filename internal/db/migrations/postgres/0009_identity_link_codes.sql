-- One-time codes that let a Chatwoot identity be linked explicitly to a
-- hub user who proves both sides: the code is minted inside Chatwoot (by
-- the identity's instance token) and redeemed by a console session.
CREATE TABLE chatwoot_link_codes (
	hash             TEXT PRIMARY KEY,
	account_id       TEXT NOT NULL REFERENCES accounts (id),
	origin           TEXT NOT NULL,
	chatwoot_user_id INTEGER NOT NULL,
	created_at       TIMESTAMPTZ NOT NULL,
	expires_at       TIMESTAMPTZ NOT NULL,
	used_at          TIMESTAMPTZ
);
