-- The hub keeps what authenticates and routes a provider webhook in memory
-- too (internal/authcache, internal/provider/webhook_cache.go): count a
-- change to a provider's account, type, credentials (the app secret) or URL
-- token or its removal, and to a number's routing key (its name or phone
-- number id) or its removal, so a rotated secret or a removed number takes
-- effect on the next delivery. Connection status, health checks and inbox
-- links are left out: they change often and route nothing.
CREATE TRIGGER auth_cache_providers_upd AFTER UPDATE OF account_id, type, credentials, webhook_token ON providers
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_providers_del AFTER DELETE ON providers
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_provider_instances_upd AFTER UPDATE OF account_id, provider_id, name, phone_number_id ON provider_instances
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_provider_instances_del AFTER DELETE ON provider_instances
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
