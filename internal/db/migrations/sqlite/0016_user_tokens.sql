-- One-time links mailed to (or, without SMTP, handed over for) a person:
-- invitation/activation and password reset. Only a hash of each token is
-- stored; mailed says whether it went by mail, which proves the address.
CREATE TABLE user_tokens (
	hash       TEXT PRIMARY KEY,
	purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
	user_id    TEXT NOT NULL REFERENCES users (id),
	account_id TEXT REFERENCES accounts (id),
	mailed     BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	used_at    DATETIME
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- Whether someone proved they read the user's email (a mailed link, the
-- operator, a super admin), and the account whose admin created the user:
-- a user nobody proved stays in that account.
ALTER TABLE users ADD COLUMN email_verified_at DATETIME;
ALTER TABLE users ADD COLUMN home_account_id TEXT REFERENCES accounts (id);
-- Users that existed before. One an account's admin created (with a
-- password the admin chose: its first membership was made with it, by
-- someone) stays unproven, confined to that account. Others with a
-- password (bootstrap, CLI) count as proven by the operator.
UPDATE users SET home_account_id = (SELECT m.account_id FROM memberships m WHERE m.user_id = users.id
		AND m.invited_by IS NOT NULL AND m.created_at = users.created_at ORDER BY m.account_id LIMIT 1)
	WHERE email IS NOT NULL;
UPDATE users SET email_verified_at = created_at
	WHERE email IS NOT NULL AND password_hash IS NOT NULL AND home_account_id IS NULL;

-- The name an admin typed when inviting someone who already had a hub
-- user: shown until they accept, so an invitation never reveals a name.
ALTER TABLE memberships ADD COLUMN invited_name TEXT;
