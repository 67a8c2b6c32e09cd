/** The login page's ?redirect= and ?reason=, written by whoever sends the caller there. */
import type { LocationQuery, RouteLocationRaw } from 'vue-router'

/** Why the caller is on the login page: only an ended session is worth a message. */
export type LoginReason = 'logout' | 'session_ended' | null

/** A same-app path from ?redirect=, or null (no URLs, no protocol-relative "//host"). */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null
  return value === '/login' || value.startsWith('/login?') || value.startsWith('/login/') ? null : value
}

/** The login page, remembering where the caller was going and why it is there. */
export function loginLocation(from: string | null, reason: LoginReason): RouteLocationRaw {
  const query: LocationQuery = {}
  if (reason === 'session_ended') query.reason = 'session_ended'
  const redirect = safeRedirect(from)
  if (redirect && redirect !== '/') query.redirect = redirect
  return { name: 'login', query }
}

/** Where the login of an embedded page's sign-in popup continues once signed in. */
export function handoffLocation(account: unknown): { name: string; query: Record<string, string> } {
  return { name: 'handoff', query: typeof account === 'string' && account ? { account } : {} }
}
