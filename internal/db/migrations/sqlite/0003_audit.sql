-- Audit log: one append-only, hash-chained sequence of rows per account
-- (chain_id = account id) plus the hub-wide chain (chain_id = 'hub',
-- account_id NULL). No foreign keys: the log must outlive what it describes.
CREATE TABLE audit_logs (
	id            TEXT PRIMARY KEY,
	chain_id      TEXT NOT NULL,
	seq           INTEGER NOT NULL,
	account_id    TEXT,
	actor_type    TEXT NOT NULL,
	actor_id      TEXT NOT NULL DEFAULT '',
	action        TEXT NOT NULL,
	resource_type TEXT NOT NULL DEFAULT '',
	resource_id   TEXT NOT NULL DEFAULT '',
	ip            TEXT NOT NULL DEFAULT '',
	user_agent    TEXT NOT NULL DEFAULT '',
	request_id    TEXT NOT NULL DEFAULT '',
	before        TEXT,
	after         TEXT,
	created_at    DATETIME NOT NULL,
	mac_key_id    TEXT NOT NULL,
	mac           TEXT NOT NULL,
	UNIQUE (chain_id, seq)
);

-- The newest seq and MAC of each chain, updated in the transaction that
-- appends: it serialises writers and reveals rows removed from the end.
CREATE TABLE audit_heads (
	chain_id   TEXT PRIMARY KEY,
	seq        INTEGER NOT NULL,
	mac        TEXT NOT NULL,
	updated_at DATETIME NOT NULL
);
