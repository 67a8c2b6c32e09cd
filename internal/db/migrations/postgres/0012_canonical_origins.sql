-- Installations are identified by their canonical origin (scheme://host
-- with the default port dropped), so two spellings of one Chatwoot URL are
-- one installation. Rows whose canonical twin already exists are left as
-- they are rather than merged.
UPDATE chatwoot_links SET origin = substr(origin, 1, length(origin) - 4)
	WHERE origin LIKE 'https://%:443' AND NOT EXISTS (SELECT 1 FROM chatwoot_links o
		WHERE o.origin = substr(chatwoot_links.origin, 1, length(chatwoot_links.origin) - 4)
		AND o.chatwoot_account_id = chatwoot_links.chatwoot_account_id);
UPDATE chatwoot_links SET origin = substr(origin, 1, length(origin) - 3)
	WHERE origin LIKE 'http://%:80' AND NOT EXISTS (SELECT 1 FROM chatwoot_links o
		WHERE o.origin = substr(chatwoot_links.origin, 1, length(chatwoot_links.origin) - 3)
		AND o.chatwoot_account_id = chatwoot_links.chatwoot_account_id);
UPDATE chatwoot_identities SET origin = substr(origin, 1, length(origin) - 4)
	WHERE origin LIKE 'https://%:443' AND NOT EXISTS (SELECT 1 FROM chatwoot_identities o
		WHERE o.origin = substr(chatwoot_identities.origin, 1, length(chatwoot_identities.origin) - 4)
		AND o.chatwoot_user_id = chatwoot_identities.chatwoot_user_id);
UPDATE chatwoot_identities SET origin = substr(origin, 1, length(origin) - 3)
	WHERE origin LIKE 'http://%:80' AND NOT EXISTS (SELECT 1 FROM chatwoot_identities o
		WHERE o.origin = substr(chatwoot_identities.origin, 1, length(chatwoot_identities.origin) - 3)
		AND o.chatwoot_user_id = chatwoot_identities.chatwoot_user_id);
UPDATE instance_tokens SET origin = substr(origin, 1, length(origin) - 4) WHERE origin LIKE 'https://%:443';
UPDATE instance_tokens SET origin = substr(origin, 1, length(origin) - 3) WHERE origin LIKE 'http://%:80';
