/**
 * An account's open incidents: {base}api/v1/accounts/{accountID}/incidents (admins). A number
 * that dropped, dead gateway work, a failing Chatwoot link, or the plan's monthly message limit
 * used (or 80% of it: subject the month, detail "used/limit"); the hub mails the admins once per
 * incident and closes it when the subject is healthy again.
 */
import { api, type ApiClient } from './client'

export type IncidentKind =
  | 'number_down'
  | 'dead_letters'
  | 'link_failing'
  | 'messages_over_limit'
  | 'messages_near_limit'

export interface Incident {
  id: string
  account_id: string
  kind: IncidentKind
  subject_id: string
  subject_name: string
  detail: string
  opened_at: string
  notified_at: string | null
}

export function listIncidents(accountId: string, client: ApiClient = api): Promise<{ data: Incident[] }> {
  return client.get(`api/v1/accounts/${encodeURIComponent(accountId)}/incidents`)
}
