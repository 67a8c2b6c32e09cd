/** Explicit linking of a Chatwoot identity to the signed-in hub user. */
import { api, type ApiClient } from './client'

export interface LinkResult {
  linked: boolean
  origin: string
  chatwoot_user_id: number
}

/** What a link code would link, shown before anything changes. */
export interface LinkPreview {
  origin: string
  chatwoot_user: { id: number; name: string; email: string }
  accounts: { account_id: string; account_name: string; role: string; chatwoot_account_id: number | null }[]
  already_yours: boolean
  expires_at: string
}

export function inspectChatwootLink(code: string, client: ApiClient = api): Promise<LinkPreview> {
  return client.post<LinkPreview>('api/v1/me/chatwoot-identity/inspect', { code })
}

/** The user's proof of consent: their password, or a code from their authenticator. */
export type LinkProof = { password: string } | { totp_code: string }

/** Redeems the one-time code minted inside Chatwoot (POST {base}api/v1/me/chatwoot-identity). */
export function linkChatwootIdentity(code: string, proof: LinkProof, client: ApiClient = api): Promise<LinkResult> {
  return client.post<LinkResult>('api/v1/me/chatwoot-identity', { code, ...proof })
}
