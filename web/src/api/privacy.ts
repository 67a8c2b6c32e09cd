/** Data rights (LGPD): the account's export, its scheduled deletion, a contact's erasure. */
import { api, type ApiClient } from './client'

export interface Deletion {
  account_id: string
  requested_by: string
  requested_at: string
  purge_after: string
}

export interface Erasure {
  subject: string
  domains: Record<string, number>
  audit: { rows: number; kept: number }
}

const base = (accountId: string) => `api/v1/accounts/${encodeURIComponent(accountId)}`

export function downloadExport(accountId: string, onProgress: (received: number) => void, client: ApiClient = api): Promise<Blob> {
  return client.download(`${base(accountId)}/export`, { onProgress, timeoutMs: 0 })
}

export function fetchDeletion(accountId: string, client: ApiClient = api): Promise<Deletion> {
  return client.get<Deletion>(`${base(accountId)}/deletion`)
}

export function requestDeletion(accountId: string, confirmName: string, client: ApiClient = api): Promise<Deletion> {
  return client.post<Deletion>(`${base(accountId)}/deletion`, { confirm_name: confirmName })
}

export function cancelDeletion(accountId: string, client: ApiClient = api): Promise<void> {
  return client.delete(`${base(accountId)}/deletion`)
}

export function eraseContact(accountId: string, contactId: number, client: ApiClient = api): Promise<Erasure> {
  return client.post<Erasure>(`${base(accountId)}/contacts/${contactId}/erasure`)
}
