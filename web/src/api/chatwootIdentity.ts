/** Explicit linking of a Chatwoot identity to the signed-in hub user. */
import { api, type ApiClient } from './client'

export interface LinkResult {
  linked: boolean
  origin: string
  chatwoot_user_id: number
}

/** Redeems the one-time code minted inside Chatwoot (POST {base}api/v1/me/chatwoot-identity). */
export function linkChatwootIdentity(code: string, client: ApiClient = api): Promise<LinkResult> {
  return client.post<LinkResult>('api/v1/me/chatwoot-identity', { code })
}
