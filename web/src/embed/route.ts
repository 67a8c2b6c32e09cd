/** Which embed page a path (under the mount path) is. */
export const BUILT_FEATURES = ['hub_admin', 'kanban', 'internal_chat'] as const
export const COMING_FEATURES = ['gateway'] as const

export type EmbedRoute =
  | { kind: 'conversation' }
  | { kind: 'hub_admin' }
  | { kind: 'kanban' }
  | { kind: 'internal_chat' }
  | { kind: 'coming_soon'; feature: (typeof COMING_FEATURES)[number] }
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
  const coming = COMING_FEATURES.find((f) => f === feature)
  return coming ? { kind: 'coming_soon', feature: coming } : { kind: 'not_found' }
}

/** ?account= of the page: a hub account id, or null. */
export function requestedAccount(search: string): string | null {
  const v = new URLSearchParams(search).get('account')
  return v && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null
}
