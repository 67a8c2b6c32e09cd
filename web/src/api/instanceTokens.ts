/** Instance tokens for embedded pages: POST {base}api/v1/instance-tokens. */
import { api, type ApiClient } from './client'

export interface InstanceToken {
  token: string
  expires_at: string
  scopes: string[]
  account_id: string
}

/** The scopes an embedded page may carry; the hub refuses any the caller's role lacks. */
export const EMBED_SCOPES = [
  'account:read',
  'inboxes:read',
  'kanban:read',
  'kanban:write',
  'chat:read',
  'chat:write',
  'users:read',
  'chatwoot:read',
  'hub:admin',
] as const

export function createInstanceToken(
  input: { account_id: string; scopes: string[]; ttl_minutes: number },
  client: ApiClient = api,
): Promise<InstanceToken> {
  return client.post<InstanceToken>('api/v1/instance-tokens', input)
}
