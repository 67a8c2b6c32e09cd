/** Which embed page a path (under the mount path) is. */
export const BUILT_FEATURES = ['hub_admin', 'kanban', 'internal_chat'] as const

/** A part of the Hub admin panel a path opens at. */
export type HubAdminSection = 'numbers'

export type EmbedRoute =
  | { kind: 'conversation' }
  | { kind: 'hub_admin'; section?: HubAdminSection }
  | { kind: 'kanban' }
  | { kind: 'internal_chat' }
  | { kind: 'not_found' }

export function embedRoute(pathname: string, base: string): EmbedRoute {
  const root = base.endsWith('/') ? base : `${base}/`
  const rel = pathname.startsWith(root) ? `/${pathname.slice(root.length)}` : pathname
  const path = rel.length > 1 ? rel.replace(/\/+$/, '') : rel
  if (path === '/embed/conversation') return { kind: 'conversation' }
  const m = /^\/embed\/app\/([a-z_]{1,40})$/.exec(path)
  if (!m) return { kind: 'not_found' }
  const feature = m[1]
  if (feature === 'hub_admin') return { kind: 'hub_admin' }
  if (feature === 'kanban') return { kind: 'kanban' }
  if (feature === 'internal_chat') return { kind: 'internal_chat' }
  // The gateway inside Chatwoot is the Hub admin panel's numbers (both are for admins; the
  // counters and dead letters live on the console's Gateway page).
  if (feature === 'gateway') return { kind: 'hub_admin', section: 'numbers' }
  return { kind: 'not_found' }
}

/** ?account= of the page: a hub account id, or null. */
export function requestedAccount(search: string): string | null {
  const v = new URLSearchParams(search).get('account')
  return v && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null
}
