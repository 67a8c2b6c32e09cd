/** The caller's console sessions: GET {base}api/v1/sessions, DELETE …/sessions/{sessionID}. */
import { api, type ApiClient, type Page } from './client'

export interface Session {
  id: string
  created_at: string
  last_seen_at: string
  expires_at: string
  ip: string
  user_agent: string
  /** The session this browser tab is using. */
  current: boolean
}

export function listSessions(client: ApiClient = api): Promise<Page<Session>> {
  return client.get<Page<Session>>('api/v1/sessions')
}

/** Takes effect on that session's next request. */
export function revokeSession(sessionId: string, client: ApiClient = api): Promise<void> {
  return client.delete(`api/v1/sessions/${encodeURIComponent(sessionId)}`)
}
