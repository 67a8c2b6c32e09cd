-- Per-account feature overrides set by the super admin; absent rows follow
-- the account's plan defaults.
CREATE TABLE account_features (
	account_id TEXT NOT NULL REFERENCES accounts (id),
	feature    TEXT NOT NULL,
	enabled    BOOLEAN NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (account_id, feature)
);
