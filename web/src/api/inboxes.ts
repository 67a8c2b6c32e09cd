/**
 * The mirror of the linked Chatwoot account's inboxes: GET {base}api/v1/accounts/{accountID}/inboxes,
 * and syncs (POST …/inboxes/sync answers 202 {sync_id}; GET …/inboxes/syncs/{syncID} its progress).
 */
import { api, type ApiClient, type Page, type PageParams } from './client'

export interface Inbox {
  id: string
  chatwoot_inbox_id: number | null
  name: string
  channel_type: string
  webhook_url: string
  avatar_url: string
  /** Created by the hub for one of its numbers (its callbacks come to the hub). */
  managed: boolean
  state: string
  provider_instance_id: string | null
  first_seen_at: string
  last_seen_at: string
  /** Set when the inbox disappeared from Chatwoot. */
  removed_at: string | null
}

export interface InboxFilters {
  channel_type?: string
  managed?: boolean
  removed?: boolean
}

export type InboxSyncStatus = 'queued' | 'running' | 'done' | 'failed' | (string & {})

export interface InboxSync {
  id: string
  status: InboxSyncStatus
  trigger?: string
  total: number
  created: number
  updated: number
  removed: number
  error: string
  created_at?: string
  started_at?: string | null
  finished_at?: string | null
}

function inboxesPath(accountId: string, rest = ''): string {
  return `api/v1/accounts/${encodeURIComponent(accountId)}/inboxes${rest}`
}

export function listInboxes(accountId: string, filters: InboxFilters = {}, params: PageParams = {}, client: ApiClient = api): Promise<Page<Inbox>> {
  return client.get<Page<Inbox>>(inboxesPath(accountId), {
    query: {
      ...params,
      cursor: params.cursor ?? undefined,
      channel_type: filters.channel_type?.trim() || undefined,
      managed: filters.managed,
      removed: filters.removed,
    },
  })
}

/** A sync already queued or running is reused. */
export function startInboxSync(accountId: string, client: ApiClient = api): Promise<{ sync_id: string }> {
  return client.post<{ sync_id: string }>(inboxesPath(accountId, '/sync'))
}

export function fetchInboxSync(accountId: string, syncId: string, client: ApiClient = api): Promise<InboxSync> {
  return client.get<InboxSync>(inboxesPath(accountId, `/syncs/${encodeURIComponent(syncId)}`))
}
