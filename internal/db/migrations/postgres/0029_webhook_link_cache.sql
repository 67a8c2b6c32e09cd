-- The hub keeps each Chatwoot link's webhook credentials in memory too
-- (internal/authcache): tell every hub when what authenticates a webhook
-- (the link's account, signing secret, URL token) changes or the link
-- goes, so a rotated or revoked secret fails the next delivery on every
-- instance. Health checks (status, last_error, chatwoot_version,
-- last_checked_at) are left out.
CREATE TRIGGER auth_cache_upd AFTER UPDATE OF account_id, webhook_secret, url_token, url_token_enabled ON chatwoot_links
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_del AFTER DELETE ON chatwoot_links
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
