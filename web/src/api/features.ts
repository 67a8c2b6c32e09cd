/** Feature flags: GET {base}api/v1/features?account_id=, and per-account overrides (super admins). */
import { api, type ApiClient } from './client'

export const FEATURES = ['kanban', 'internal_chat', 'gateway', 'hub_admin'] as const

export interface FeatureFlags {
  account_id?: string
  features: Record<string, boolean>
}

export function fetchFeatures(accountId: string, client: ApiClient = api): Promise<FeatureFlags> {
  return client.get<FeatureFlags>('api/v1/features', { query: { account_id: accountId } })
}

/** Merges the given overrides ({kanban: true, …}) into the account's. */
export function updateFeatures(accountId: string, overrides: Record<string, boolean>, client: ApiClient = api): Promise<FeatureFlags> {
  return client.put<FeatureFlags>(`api/v1/accounts/${encodeURIComponent(accountId)}/features`, overrides)
}
