/** Stored webhook events: GET {base}api/v1/accounts/{accountID}/webhook-events, and their replay. */
import { api, type ApiClient, type Page, type PageParams } from './client'

export const WEBHOOK_EVENT_STATUSES = ['received', 'processing', 'done', 'failed', 'dead', 'ignored'] as const
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number] | (string & {})

export interface WebhookEvent {
  id: string
  source: string
  source_id: string
  event: string
  delivery_id: string
  status: WebhookEventStatus
  attempts: number
  last_error: string
  received_at: string
  updated_at: string
  /** The stored body; null once purged after the retention period. */
  payload: unknown
}

export interface WebhookEventFilters {
  status?: string
  event?: string
}

function eventsPath(accountId: string, rest = ''): string {
  return `api/v1/accounts/${encodeURIComponent(accountId)}/webhook-events${rest}`
}

export function listWebhookEvents(
  accountId: string,
  filters: WebhookEventFilters = {},
  params: PageParams = {},
  client: ApiClient = api,
): Promise<Page<WebhookEvent>> {
  const query: Record<string, string | number | undefined> = { ...params, cursor: params.cursor ?? undefined }
  if (filters.status) query.status = filters.status
  if (filters.event?.trim()) query.event = filters.event.trim()
  return client.get<Page<WebhookEvent>>(eventsPath(accountId), { query })
}

/** 202 {id, status: "received"}; 409 when the event is still queued or its payload was purged. */
export function replayWebhookEvent(accountId: string, eventId: string, client: ApiClient = api): Promise<{ id: string; status: string }> {
  return client.post(eventsPath(accountId, `/${encodeURIComponent(eventId)}/replay`))
}
