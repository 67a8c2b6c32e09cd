/** An account's API keys: {base}api/v1/accounts/{accountID}/api-keys[/{keyID}]. */
import { api, type ApiClient, type Page, type PageParams } from './client'

export interface ApiKey {
  id: string
  account_id: string
  name: string
  prefix: string
  scopes: string[]
  created_by: string
  created_at: string
  last_used_at: string | null
  expires_at: string | null
  revoked_at: string | null
}

export interface CreateApiKeyInput {
  name: string
  scopes: string[]
  /** RFC 3339; omitted for a key that does not expire. */
  expires_at?: string
}

/** The answer to a create: `key` is the secret, shown this once and never again. */
export interface CreatedApiKey {
  id: string
  key: string
  prefix: string
  name: string
  scopes: string[]
  expires_at: string | null
}

function keysPath(accountId: string, keyId?: string): string {
  const base = `api/v1/accounts/${encodeURIComponent(accountId)}/api-keys`
  return keyId === undefined ? base : `${base}/${encodeURIComponent(keyId)}`
}

export function listApiKeys(accountId: string, params: PageParams = {}, client: ApiClient = api): Promise<Page<ApiKey>> {
  return client.get<Page<ApiKey>>(keysPath(accountId), { query: { ...params } })
}

export function createApiKey(accountId: string, input: CreateApiKeyInput, client: ApiClient = api): Promise<CreatedApiKey> {
  return client.post<CreatedApiKey>(keysPath(accountId), input)
}

export function revokeApiKey(accountId: string, keyId: string, client: ApiClient = api): Promise<void> {
  return client.delete(keysPath(accountId, keyId))
}
