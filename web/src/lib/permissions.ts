/** Permissions as the API names them, and what the console derives from them. */
import type { Me, Membership } from '@/api/me'

/**
 * Scopes an API key may carry, in the order the create form lists them. A key may only get
 * scopes its creator holds in the account.
 */
export const API_KEY_SCOPES = [
  'account:read',
  'users:read',
  'users:write',
  'keys:read',
  'keys:write',
  'audit:read',
  'usage:read',
  'inboxes:read',
  'inboxes:write',
  'kanban:read',
  'kanban:write',
  'chat:read',
  'chat:write',
  'chatwoot:read',
  'chatwoot:write',
  'webhooks:read',
  'webhooks:write',
  'providers:read',
  'providers:write',
  'hub:admin',
] as const

export type Permission = (typeof API_KEY_SCOPES)[number] | 'account:write' | 'platform:manage' | (string & {})

/** Super admins hold every permission in every account. */
export const SUPER_ADMIN_PERMISSIONS: readonly string[] = [...API_KEY_SCOPES, 'account:write', 'platform:manage']

/** Memberships that give access; invitations give none until accepted. */
export function activeMemberships(me: Me | null): Membership[] {
  return me?.memberships.filter((m) => m.status === 'active') ?? []
}

/** What the caller may do in an account: [] when it is neither a member nor a super admin. */
export function permissionsIn(me: Me | null, accountId: string): readonly string[] {
  if (!me) return []
  if (me.user.super_admin) return SUPER_ADMIN_PERMISSIONS
  return activeMemberships(me).find((m) => m.account_id === accountId)?.permissions ?? []
}

export function hasAccess(me: Me | null, accountId: string): boolean {
  if (!me) return false
  return me.user.super_admin || activeMemberships(me).some((m) => m.account_id === accountId)
}

/** The scopes the caller may grant to a key in an account. */
export function grantableScopes(permissions: readonly string[]): string[] {
  return API_KEY_SCOPES.filter((scope) => permissions.includes(scope))
}
