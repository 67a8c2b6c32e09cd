/**
 * The realtime client bound to the hub: tickets minted through the page's API client (so the
 * console session or the embed's instance token, with their refresh rules, authenticate them)
 * and the WebSocket on the same origin and mount path as the API.
 */
import type { ApiClient } from '@/api/client'
import { RealtimeClient, type RealtimeOptions } from './realtime'

/** ws: or wss: URL of a path on the page's own host. */
export function websocketURL(path: string, loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${path}`
}

export function createHubRealtime(client: ApiClient, accountId: string, options: Partial<RealtimeOptions> = {}): RealtimeClient {
  return new RealtimeClient({
    async mintTicket() {
      const answer = await client.post<{ ticket?: unknown }>('api/v1/realtime/tickets', { account_id: accountId })
      if (typeof answer?.ticket !== 'string' || answer.ticket === '') throw new Error('the hub answered no ticket')
      return answer.ticket
    },
    socketURL: (ticket) => websocketURL(client.url('api/v1/realtime', { ticket })),
    ...options,
  })
}
