/** An account's audit log: GET {base}api/v1/accounts/{accountID}/audit-logs. */
import { api, type ApiClient, type Page, type PageParams } from './client'

export interface AuditEntry {
  id: string
  seq: number
  account_id: string
  actor_type: string
  actor_id: string
  action: string
  resource_type: string
  resource_id: string
  ip: string
  user_agent: string
  request_id: string
  before: unknown
  after: unknown
  created_at: string
}

/** Empty strings are left out of the query. `action` takes a prefix such as "auth.*". */
export interface AuditFilters {
  actor_id?: string
  actor_type?: string
  action?: string
  resource_type?: string
  resource_id?: string
  /** RFC 3339. */
  from?: string
  to?: string
}

export function listAuditLogs(
  accountId: string,
  filters: AuditFilters = {},
  params: PageParams = {},
  client: ApiClient = api,
): Promise<Page<AuditEntry>> {
  const query: Record<string, string | number | undefined> = { ...params, cursor: params.cursor ?? undefined }
  for (const [key, value] of Object.entries(filters)) {
    if (typeof value === 'string' && value.trim() !== '') query[key] = value.trim()
  }
  return client.get<Page<AuditEntry>>(`api/v1/accounts/${encodeURIComponent(accountId)}/audit-logs`, { query })
}
