/**
 * An account's Chatwoot link: GET/PUT/DELETE {base}api/v1/accounts/{accountID}/chatwoot, its test,
 * one-click install (webhook and Dashboard App) and the webhook signing secret. The hub never
 * answers the access token or the secret.
 */
import { api, type ApiClient } from './client'

export type ChatwootLinkStatus = 'ok' | 'needs_attention' | (string & {})

export interface ChatwootLink {
  linked: boolean
  id?: string
  base_url?: string
  chatwoot_account_id?: number
  allowed_origins: string[]
  status?: ChatwootLinkStatus
  last_error?: string
  chatwoot_version?: string
  webhook_url?: string
  webhook_secret_set: boolean
  url_token_enabled: boolean
  webhook_installed: boolean
  dashboard_app_installed: boolean
  dashboard_script_url: string
  last_checked_at?: string | null
  /** The last full read of team and inbox memberships from Chatwoot (the members sync). */
  members_synced_at?: string | null
  /** Why the last members sync failed (the memberships were kept); absent after a success. */
  members_sync_error?: string
}

export interface ChatwootLinkInput {
  base_url: string
  chatwoot_account_id: number
  /** A Chatwoot administrator's access token; sent, never read back. */
  api_access_token: string
  extra_origins?: string[]
}

/** What DELETE did in Chatwoot: "removed", "not installed" or "failed: …" for each. */
export interface ChatwootUnlinked {
  linked: false
  removed_in_chatwoot: { webhook: string; dashboard_app: string }
}

function linkPath(accountId: string, rest = ''): string {
  return `api/v1/accounts/${encodeURIComponent(accountId)}/chatwoot${rest}`
}

export function fetchChatwootLink(accountId: string, client: ApiClient = api): Promise<ChatwootLink> {
  return client.get<ChatwootLink>(linkPath(accountId))
}

/** Proves the token against Chatwoot, then stores it (encrypted). */
export function saveChatwootLink(accountId: string, input: ChatwootLinkInput, client: ApiClient = api): Promise<ChatwootLink> {
  return client.put<ChatwootLink>(linkPath(accountId), input)
}

export function unlinkChatwoot(accountId: string, client: ApiClient = api): Promise<ChatwootUnlinked> {
  return client.delete<ChatwootUnlinked>(linkPath(accountId))
}

/** Re-checks the stored token; a refusal answers the link with status "needs_attention". */
export function testChatwootLink(accountId: string, client: ApiClient = api): Promise<ChatwootLink> {
  return client.post<ChatwootLink>(linkPath(accountId, '/test'))
}

/** Creates the account webhook and the Dashboard App in Chatwoot. */
export function installInChatwoot(accountId: string, client: ApiClient = api): Promise<ChatwootLink> {
  return client.post<ChatwootLink>(linkPath(accountId, '/install'))
}

/** The signing secret Chatwoot shows for the webhook (8 to 200 characters). */
export function setChatwootWebhookSecret(accountId: string, secret: string, client: ApiClient = api): Promise<ChatwootLink> {
  return client.put<ChatwootLink>(linkPath(accountId, '/webhook-secret'), { secret })
}

/** A Chatwoot team of the linked account (Chatwoot stores its name in lower case). */
export interface ChatwootTeam {
  id: number
  name: string
}

/**
 * The linked Chatwoot account's teams, for board visibility: read afresh from Chatwoot, or the list
 * last seen; `known` is false (and the list empty) while the hub has never seen one.
 */
export function listChatwootTeams(accountId: string, client: ApiClient = api): Promise<{ data: ChatwootTeam[]; known: boolean }> {
  return client.get<{ data: ChatwootTeam[]; known: boolean }>(linkPath(accountId, '/teams'))
}
