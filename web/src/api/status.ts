/** Hub health: readiness (GET {base}readyz) and build information (GET {base}api/v1/version). */
import { api, type ApiClient } from './client'

/** A check's value is "ok" or "error: <reason>". */
export type CheckValue = string

export interface Readiness {
  status: 'ok' | 'unavailable' | (string & {})
  checks: Record<string, CheckValue>
  version?: string
}

export interface VersionInfo {
  version: string
  commit: string
  go: string
}

/** /readyz answers 503 with the same shape when a check fails; that is a result, not an error. */
export function fetchReadiness(client: ApiClient = api, signal?: AbortSignal): Promise<Readiness> {
  return client.get<Readiness>('readyz', { acceptStatuses: [503], signal })
}

export function fetchVersion(client: ApiClient = api, signal?: AbortSignal): Promise<VersionInfo> {
  return client.get<VersionInfo>('api/v1/version', { signal })
}

export type CheckState = 'ok' | 'error' | 'unknown'

/** Splits a check value: "ok" → ok; "error: disk full" → error with reason "disk full". */
export function parseCheck(value: CheckValue): { state: CheckState; reason: string | null } {
  if (value === 'ok') return { state: 'ok', reason: null }
  const match = /^error(?::\s*(.*))?$/s.exec(value)
  if (match) return { state: 'error', reason: match[1]?.trim() || null }
  return { state: 'unknown', reason: value || null }
}
