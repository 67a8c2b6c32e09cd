-- Tell every hub when a row that authorises requests changes, so each can
-- keep those rows in memory (internal/authcache) and still see a
-- revocation, demotion, removal or suspension on the next request. The
-- columns a request's bookkeeping writes (last_seen_at, last_used_at) are
-- left out, or every request would flush every cache.
CREATE FUNCTION whatpro_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('whatpro_auth', TG_TABLE_NAME);
	RETURN NULL;
END
$$;

CREATE TRIGGER auth_cache_upd AFTER UPDATE OF user_id, mfa_pending, expires_at, revoked_at ON sessions
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_del AFTER DELETE ON sessions
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();

CREATE TRIGGER auth_cache_upd AFTER UPDATE OF account_id, prefix, secret_hash, scopes, created_by, expires_at, revoked_at ON api_keys
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_del AFTER DELETE ON api_keys
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();

CREATE TRIGGER auth_cache_upd AFTER UPDATE ON instance_tokens
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_del AFTER DELETE ON instance_tokens
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();

CREATE TRIGGER auth_cache_upd AFTER UPDATE OF active, super_admin ON users
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_del AFTER DELETE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();

CREATE TRIGGER auth_cache AFTER INSERT OR UPDATE OR DELETE ON accounts
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache AFTER INSERT OR UPDATE OR DELETE ON memberships
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache AFTER INSERT OR UPDATE OR DELETE ON account_features
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache AFTER INSERT OR UPDATE OR DELETE ON account_plans
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache AFTER INSERT OR UPDATE OR DELETE ON plans
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
