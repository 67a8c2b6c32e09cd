-- Data rights (LGPD). Audit rows signed from now on (mac_version 2) MAC a
-- digest of their personal fields (ip, user agent, before, after) instead
-- of the fields themselves, so an erasure can clear the fields, keep the
-- digest, and leave the chain verifiable. Account deletions wait out a
-- grace period before the account's rows are purged.
ALTER TABLE audit_logs ADD COLUMN mac_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit_logs ADD COLUMN personal_digest TEXT;
ALTER TABLE audit_logs ADD COLUMN erased_at DATETIME;

CREATE TABLE account_deletions (
	account_id     TEXT PRIMARY KEY REFERENCES accounts (id),
	requested_by   TEXT NOT NULL DEFAULT '',
	requested_at   DATETIME NOT NULL,
	purge_after    DATETIME NOT NULL
);
