/** Usage series: GET {base}api/v1/accounts/{accountID}/usage and, for super admins, GET …/api/v1/usage. */
import { api, type ApiClient } from './client'

export const USAGE_METRICS = ['api_requests', 'messages_in', 'messages_out', 'conversations', 'active_users', 'webhook_events'] as const

export interface UsagePoint {
  /** YYYY-MM-DD (UTC). */
  day: string
  value: number
}

export interface UsageMetric {
  metric: string
  series: UsagePoint[]
}

export interface AccountUsage {
  account_id?: string
  from?: string
  to?: string
  metrics: UsageMetric[]
}

export interface UsageTotal {
  account_id: string
  account_name: string
  metric: string
  total: number
}

export interface UsageRange {
  /** YYYY-MM-DD; the hub defaults to the last 30 days. */
  from?: string
  to?: string
}

export function fetchUsage(accountId: string, range: UsageRange = {}, client: ApiClient = api): Promise<AccountUsage> {
  return client.get<AccountUsage>(`api/v1/accounts/${encodeURIComponent(accountId)}/usage`, { query: { ...range } })
}

export function fetchHubUsage(range: UsageRange = {}, client: ApiClient = api): Promise<{ from?: string; to?: string; data: UsageTotal[] }> {
  return client.get(`api/v1/usage`, { query: { ...range } })
}
