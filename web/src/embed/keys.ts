import type { InjectionKey } from 'vue'
import type { AppContextState } from './appContext'
import type { EmbedSession } from './session'

export const SessionKey: InjectionKey<EmbedSession> = Symbol('whatpro-embed-session')
export const AppContextKey: InjectionKey<AppContextState> = Symbol('whatpro-embed-app-context')

/** The hub's views of a Chatwoot link (GET /api/v1/accounts/{id}/chatwoot). */
export interface LinkView {
  linked: boolean
  base_url?: string
  chatwoot_account_id?: number
  allowed_origins?: string[]
  status?: string
  last_error?: string
  chatwoot_version?: string
  webhook_installed?: boolean
  dashboard_app_installed?: boolean
  last_checked_at?: string
}

export interface FeaturesAnswer {
  account_id: string
  features: Record<string, boolean>
}

/** The feature catalogue, in display order (internal/feature). */
export const FEATURE_CATALOGUE = ['kanban', 'internal_chat', 'gateway', 'hub_admin'] as const

export function featureKey(name: string): string {
  return name.toUpperCase()
}
