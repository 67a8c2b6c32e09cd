-- Count changes to the rows that authorise requests, so the hub can keep
-- those rows in memory (internal/authcache): it reads auth_epoch again
-- whenever PRAGMA data_version says another connection (its writer, a CLI
-- process) committed, and forgets everything when the count moved. The
-- columns a request's bookkeeping writes (last_seen_at, last_used_at) are
-- left out, or every request would flush the cache.
CREATE TABLE auth_epoch (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

CREATE TRIGGER auth_cache_sessions_upd AFTER UPDATE OF user_id, mfa_pending, expires_at, revoked_at ON sessions
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_sessions_del AFTER DELETE ON sessions
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_api_keys_upd AFTER UPDATE OF account_id, prefix, secret_hash, scopes, created_by, expires_at, revoked_at ON api_keys
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_api_keys_del AFTER DELETE ON api_keys
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_instance_tokens_upd AFTER UPDATE ON instance_tokens
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_instance_tokens_del AFTER DELETE ON instance_tokens
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_users_upd AFTER UPDATE OF active, super_admin ON users
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_users_del AFTER DELETE ON users
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_accounts_ins AFTER INSERT ON accounts
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_accounts_upd AFTER UPDATE ON accounts
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_accounts_del AFTER DELETE ON accounts
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_memberships_ins AFTER INSERT ON memberships
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_memberships_upd AFTER UPDATE ON memberships
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_memberships_del AFTER DELETE ON memberships
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_account_features_ins AFTER INSERT ON account_features
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_account_features_upd AFTER UPDATE ON account_features
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_account_features_del AFTER DELETE ON account_features
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_account_plans_ins AFTER INSERT ON account_plans
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_account_plans_upd AFTER UPDATE ON account_plans
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_account_plans_del AFTER DELETE ON account_plans
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_plans_ins AFTER INSERT ON plans
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_plans_upd AFTER UPDATE ON plans
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_plans_del AFTER DELETE ON plans
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
