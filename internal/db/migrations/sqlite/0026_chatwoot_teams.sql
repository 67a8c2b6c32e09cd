-- Chatwoot teams as the hub last saw them (GET …/teams lists every team of
-- the account to any of its users), and each user's team memberships
-- (is_member in that list, read with the user's own session at SSO).
-- chatwoot_links.teams_synced_at says the list is known.
CREATE TABLE chatwoot_teams (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	team_id    INTEGER NOT NULL,
	name       TEXT NOT NULL,
	synced_at  DATETIME NOT NULL,
	PRIMARY KEY (account_id, team_id)
);

CREATE TABLE chatwoot_team_members (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	user_id    TEXT NOT NULL REFERENCES users (id),
	team_id    INTEGER NOT NULL,
	synced_at  DATETIME NOT NULL,
	PRIMARY KEY (account_id, user_id, team_id)
);
CREATE INDEX chatwoot_team_members_user ON chatwoot_team_members (user_id);

ALTER TABLE chatwoot_links ADD COLUMN teams_synced_at DATETIME;
