-- The hub keeps what authenticates and routes a provider webhook in memory
-- too (internal/authcache, internal/provider/webhook_cache.go): tell every
-- hub when a provider's account, type, credentials (the app secret) or URL
-- token change or the provider goes, and when a number's routing key (its
-- name or phone number id) changes or the number goes, so a rotated secret
-- or a removed number takes effect on the next delivery on every instance.
-- Connection status, health checks and inbox links are left out: they
-- change often and route nothing.
CREATE TRIGGER auth_cache_upd AFTER UPDATE OF account_id, type, credentials, webhook_token ON providers
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_del AFTER DELETE ON providers
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_upd AFTER UPDATE OF account_id, provider_id, name, phone_number_id ON provider_instances
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
CREATE TRIGGER auth_cache_del AFTER DELETE ON provider_instances
	FOR EACH STATEMENT EXECUTE FUNCTION whatpro_auth_changed();
