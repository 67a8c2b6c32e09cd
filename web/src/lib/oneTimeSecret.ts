/**
 * One-time secrets that arrive in a link's fragment (#code=…, #token=…): a Chatwoot link code, an
 * invitation or password-reset token. They never travel in a query string (servers log those, and
 * the login page's ?redirect= would carry them): the fragment is read once, kept in this tab's
 * sessionStorage across a sign-in, and dropped from the address bar at once.
 */

export type SecretKind = 'link-code' | 'invitation' | 'reset'

const PARAM: Record<SecretKind, string> = { 'link-code': 'code', invitation: 'token', reset: 'token' }

function storageKey(kind: SecretKind): string {
  return `whatpro.secret.${kind}`
}

/** The secret in a fragment such as "#code=wpl_…", or null. */
export function secretInHash(hash: string, kind: SecretKind): string | null {
  const value = new URLSearchParams(hash.replace(/^#/, '')).get(PARAM[kind])
  return value ? value : null
}

/** Keeps a secret for this tab (a sign-in in between does not lose it). */
export function keepSecret(kind: SecretKind, value: string): void {
  try {
    window.sessionStorage.setItem(storageKey(kind), value)
  } catch {
    // Storage blocked: the secret lives only as long as this page.
  }
}

export function keptSecret(kind: SecretKind): string | null {
  try {
    return window.sessionStorage.getItem(storageKey(kind))
  } catch {
    return null
  }
}

export function forgetSecret(kind: SecretKind): void {
  try {
    window.sessionStorage.removeItem(storageKey(kind))
  } catch {
    // nothing kept
  }
}

/**
 * The page's secret: from the fragment (kept, then removed from the address bar) or else the one
 * kept before a sign-in.
 */
export function takeSecret(hash: string, kind: SecretKind): string | null {
  const fromHash = secretInHash(hash, kind)
  if (fromHash) {
    keepSecret(kind, fromHash)
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search)
    return fromHash
  }
  return keptSecret(kind)
}
