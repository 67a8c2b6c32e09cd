-- The members sync (internal/chatwoot/members_sync.go) reads every team's
-- and inbox's agents with the link's token. Its outcome is kept on the
-- link so the console can say when memberships were last brought up to
-- date, or why they could not be (a token that is not an administrator's,
-- Chatwoot not answering): a failed sync changes no membership, and an
-- admin must be able to see that it failed. Not an authentication input:
-- the auth-cache triggers of 0029 leave these columns out.
ALTER TABLE chatwoot_links ADD COLUMN members_synced_at DATETIME;
ALTER TABLE chatwoot_links ADD COLUMN members_sync_error TEXT NOT NULL DEFAULT '';
