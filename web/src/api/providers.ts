/**
 * WhatsApp providers of an account: {base}api/v1/accounts/{accountID}/providers[/{providerID}].
 * Credentials are write-only: sent on create or replace, never answered.
 */
import { api, type ApiClient, type Page, type PageParams } from './client'

export const PROVIDER_TYPES = ['evolution', 'cloud_api'] as const
export type ProviderType = (typeof PROVIDER_TYPES)[number]

export type HealthStatus = 'unknown' | 'healthy' | 'unhealthy' | (string & {})

export interface Provider {
  id: string
  account_id: string
  name: string
  type: ProviderType | (string & {})
  base_url: string
  /** Cloud API only: the token to paste into Meta's webhook settings. */
  verify_token?: string
  webhook_url: string
  health_status: HealthStatus
  health_details: string
  last_checked_at: string | null
  created_at: string
  updated_at: string
}

/** Evolution takes api_key; the Cloud API access_token and app_secret. */
export interface ProviderCredentials {
  api_key?: string
  access_token?: string
  app_secret?: string
}

export interface CreateProviderInput {
  type: ProviderType
  name: string
  base_url: string
  credentials: ProviderCredentials
}

export interface UpdateProviderInput {
  name?: string
  base_url?: string
  /** Replaces the stored credentials; left out to keep them. */
  credentials?: ProviderCredentials
}

export interface ProviderTestResult {
  status: 'healthy' | 'unhealthy' | (string & {})
  latency_ms: number
  details: string
}

function providersPath(accountId: string, providerId?: string, rest = ''): string {
  const base = `api/v1/accounts/${encodeURIComponent(accountId)}/providers`
  return providerId === undefined ? base : `${base}/${encodeURIComponent(providerId)}${rest}`
}

export function listProviders(accountId: string, params: PageParams = {}, client: ApiClient = api): Promise<Page<Provider>> {
  return client.get<Page<Provider>>(providersPath(accountId), { query: { ...params } })
}

export function fetchProvider(accountId: string, providerId: string, client: ApiClient = api): Promise<Provider> {
  return client.get<Provider>(providersPath(accountId, providerId))
}

export function createProvider(accountId: string, input: CreateProviderInput, client: ApiClient = api): Promise<Provider> {
  return client.post<Provider>(providersPath(accountId), input)
}

export function updateProvider(accountId: string, providerId: string, input: UpdateProviderInput, client: ApiClient = api): Promise<Provider> {
  return client.patch<Provider>(providersPath(accountId, providerId), input)
}

/** 204; 409 while the provider still has numbers. */
export function deleteProvider(accountId: string, providerId: string, client: ApiClient = api): Promise<void> {
  return client.delete(providersPath(accountId, providerId))
}

/** Checks the server and the credentials now (and records the health). */
export function testProvider(accountId: string, providerId: string, client: ApiClient = api): Promise<ProviderTestResult> {
  return client.post<ProviderTestResult>(providersPath(accountId, providerId, '/test'))
}
