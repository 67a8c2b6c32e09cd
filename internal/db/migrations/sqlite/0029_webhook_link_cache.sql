-- The hub keeps each Chatwoot link's webhook credentials in memory too
-- (internal/authcache): count a change to what authenticates a webhook
-- (the link's account, signing secret, URL token) or the link's removal,
-- so a rotated or revoked secret fails the next delivery. Health checks
-- (status, last_error, chatwoot_version, last_checked_at) are left out.
CREATE TRIGGER auth_cache_chatwoot_links_upd AFTER UPDATE OF account_id, webhook_secret, url_token, url_token_enabled ON chatwoot_links
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_cache_chatwoot_links_del AFTER DELETE ON chatwoot_links
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
