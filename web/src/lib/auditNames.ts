/**
 * How an audit entry names its action, actor and resource: a translated label where the app knows the code, the
 * person's name for user ids (and for instance tokens, a Chatwoot user acting from an embedded page), the key's name
 * for API keys, the name an entry's own metadata carries for other resources, else the id.
 */
import type { AuditEntry } from '@/api/audit'

/** What the audit log needs to know of a person of the account. */
export interface AuditPerson {
  name: string
  email: string
}

/**
 * What the audit log knows of an API key of the account. Keys are never deleted, only revoked, so a revoked key keeps
 * its name; `null` as the whole map means the viewer may not list keys (the rows show ids).
 */
export interface AuditKey {
  name: string
  revoked: boolean
}

/** How an actor is named: its name ('' when unknown) and a mark for a key that is revoked or no longer listed. */
export interface AuditActor {
  name: string
  mark: '' | 'revoked' | 'deleted'
}

/** The locale key part of a code: "user.password.reset_requested" → "USER_PASSWORD_RESET_REQUESTED". */
export function auditCodeKey(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}

/**
 * `has` must check the current language only (vue-i18n's te(key, locale) with the locale named; without it te follows
 * the fallback chain), so pt-BR never shows an English label.
 */
type Translate = (key: string) => string
type Has = (key: string) => boolean

/** The action's label, or the code itself when the app has no label for it. */
export function auditActionLabel(code: string, t: Translate, has: Has): string {
  const key = `AUDIT.ACTIONS.${auditCodeKey(code)}`
  return code && has(key) ? t(key) : code
}

/** A resource or actor type's label, or the type itself when unknown; '' stays ''. */
export function auditTypeLabel(kind: 'RESOURCE_TYPES' | 'ACTOR_TYPES', type: string, t: Translate, has: Has): string {
  const key = `AUDIT.${kind}.${auditCodeKey(type)}`
  return type && has(key) ? t(key) : type
}

function personName(p: AuditPerson): string {
  return p.name.trim() || p.email
}

/** The name an entry's before/after carries for its resource ("name" of a board, provider, number…), if any. */
function metadataName(entry: AuditEntry): string {
  for (const side of [entry.after, entry.before]) {
    if (side && typeof side === 'object' && !Array.isArray(side)) {
      const name = (side as Record<string, unknown>).name
      if (typeof name === 'string' && name.trim() !== '') return name.trim()
    }
  }
  return ''
}

/** The actor's name: the person for a user id, else '' (the row shows the id). */
export function auditActorName(entry: AuditEntry, people: ReadonlyMap<string, AuditPerson>): string {
  return auditActor(entry, people, null).name
}

/**
 * The actor: the person for a user or an instance token (its id is the user's), the key for an API key (marked when
 * revoked, or when the account's keys were listed and it is not among them), else no name (the row shows the id).
 */
export function auditActor(
  entry: AuditEntry,
  people: ReadonlyMap<string, AuditPerson>,
  keys: ReadonlyMap<string, AuditKey> | null,
): AuditActor {
  if (!entry.actor_id) return { name: '', mark: '' }
  if (entry.actor_type === 'user' || entry.actor_type === 'instance_token') {
    const p = people.get(entry.actor_id)
    return { name: p ? personName(p) : '', mark: '' }
  }
  if (entry.actor_type === 'api_key' && keys) {
    const k = keys.get(entry.actor_id)
    if (!k) return { name: '', mark: 'deleted' }
    return { name: k.name.trim(), mark: k.revoked ? 'revoked' : '' }
  }
  return { name: '', mark: '' }
}

/**
 * The resource's name: the person for a user id, the key's name for an API key, the entry's metadata name for other
 * resources, else ''.
 */
export function auditResourceName(
  entry: AuditEntry,
  people: ReadonlyMap<string, AuditPerson>,
  keys: ReadonlyMap<string, AuditKey> | null = null,
): string {
  if (entry.resource_type === 'user') {
    const p = entry.resource_id ? people.get(entry.resource_id) : undefined
    return p ? personName(p) : ''
  }
  if (entry.resource_type === 'api_key' && entry.resource_id) {
    const name = keys?.get(entry.resource_id)?.name.trim()
    if (name) return name
  }
  return metadataName(entry)
}
