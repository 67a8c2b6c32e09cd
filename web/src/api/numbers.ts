/**
 * WhatsApp numbers (provider instances) of an account:
 * {base}api/v1/accounts/{accountID}/provider-instances[/{instanceID}[/connect|/status|/qr|/logout|/inbox]].
 */
import { api, type ApiClient, type Page, type PageParams } from './client'
import type { Inbox } from './inboxes'

export type NumberStatus = 'disconnected' | 'connecting' | 'qr_required' | 'connected' | 'error' | (string & {})

export type InboxState = '' | 'active' | 'pending' | 'removed' | 'unlinked' | 'missing' | (string & {})

/** logged_out (the phone ended it), qr_limit (nobody scanned in time), refused, dropped (reconnecting), hub_logout. */
export type DisconnectReason = '' | 'logged_out' | 'qr_limit' | 'refused' | 'dropped' | 'hub_logout' | (string & {})

/** Reasons an admin must act on: the number dropped for something other than the hub's own logout. */
export const ALERT_REASONS: readonly string[] = ['logged_out', 'qr_limit', 'refused', 'dropped']

export interface WhatsAppNumber {
  id: string
  account_id: string
  provider_id: string
  name: string
  phone_number_id: string
  phone_number: string
  display_name: string
  /** The WhatsApp profile name as the provider reports it (Evolution's profileName, Meta's verified name). */
  profile_name: string
  status: NumberStatus
  /** Why it is not connected, as the provider reported it; '' when nothing went wrong. */
  disconnect_reason: DisconnectReason
  /** A QR code waits to be scanned (GET …/qr). */
  qr_pending: boolean
  /** The hub inbox (mirror row) of its Chatwoot inbox, once created. */
  inbox_id: string | null
  /** That inbox as Chatwoot has it: removed (deleted there), unlinked (the link was removed); '' without one. */
  inbox_state: InboxState
  last_error: string
  status_changed_at: string
  created_at: string
  updated_at: string
}

/** Evolution: {provider_id, name}; the Cloud API adds phone_number_id. */
export interface CreateNumberInput {
  provider_id: string
  name: string
  phone_number_id?: string
}

/** A connection attempt or its state: Evolution answers a QR code (image data URL) and a pairing code. */
export interface NumberConnection {
  status: NumberStatus
  qr_code?: string
  pairing_code?: string
  phone_number?: string
  profile_name?: string
  disconnect_reason?: DisconnectReason
  details?: string
  /** The provider finishes connecting in the background: the QR code comes later (GET …/qr). */
  pending?: boolean
}

/** A name for a new inbox, or the Chatwoot id of a synced inbox to adopt; both optional. */
export interface NumberInboxInput {
  name?: string
  adopt_chatwoot_inbox_id?: number
}

function numbersPath(accountId: string, numberId?: string, rest = ''): string {
  const base = `api/v1/accounts/${encodeURIComponent(accountId)}/provider-instances`
  return numberId === undefined ? base : `${base}/${encodeURIComponent(numberId)}${rest}`
}

export function listNumbers(accountId: string, params: PageParams = {}, client: ApiClient = api): Promise<Page<WhatsAppNumber>> {
  return client.get<Page<WhatsAppNumber>>(numbersPath(accountId), { query: { ...params } })
}

export function fetchNumber(accountId: string, numberId: string, client: ApiClient = api): Promise<WhatsAppNumber> {
  return client.get<WhatsAppNumber>(numbersPath(accountId, numberId))
}

/** 201; 422 LIMIT_EXCEEDED past the plan's max_provider_instances. */
export function createNumber(accountId: string, input: CreateNumberInput, client: ApiClient = api): Promise<WhatsAppNumber> {
  return client.post<WhatsAppNumber>(numbersPath(accountId), input)
}

export function deleteNumber(accountId: string, numberId: string, client: ApiClient = api): Promise<void> {
  return client.delete(numbersPath(accountId, numberId))
}

export function connectNumber(accountId: string, numberId: string, client: ApiClient = api): Promise<NumberConnection> {
  return client.post<NumberConnection>(numbersPath(accountId, numberId, '/connect'))
}

export function fetchNumberStatus(accountId: string, numberId: string, client: ApiClient = api): Promise<NumberConnection> {
  return client.get<NumberConnection>(numbersPath(accountId, numberId, '/status'))
}

/** The pending QR code (providers:write) with the number's current state; polled while connecting. */
export function fetchNumberQR(accountId: string, numberId: string, client: ApiClient = api): Promise<NumberConnection> {
  return client.get<NumberConnection>(numbersPath(accountId, numberId, '/qr'))
}

/** Ends the number's WhatsApp session; the number stays, ready to connect again. */
export function logoutNumber(accountId: string, numberId: string, client: ApiClient = api): Promise<WhatsAppNumber> {
  return client.post<WhatsAppNumber>(numbersPath(accountId, numberId, '/logout'))
}

/** 201 with the new inbox, 200 when the number already had one. */
export function createNumberInbox(accountId: string, numberId: string, input: NumberInboxInput = {}, client: ApiClient = api): Promise<Inbox> {
  return client.post<Inbox>(numbersPath(accountId, numberId, '/inbox'), input)
}
