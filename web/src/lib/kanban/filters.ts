/**
 * The board's filters as the page URL keeps them, with the API's names: assignee (a user id or
 * "me"), label, priority, due (overdue|today|week|none), value_min and value_max (cents), q (text
 * search on title, contact, phone and notes) and stale (true|false). Values the API would refuse
 * are dropped when read, so a hand-edited URL never breaks the board.
 */
import { PRIORITIES, type CardFilters, type Priority } from '@/api/kanban'

export type QueryLike = Record<string, string | null | undefined | (string | null)[]>

export const FILTER_KEYS = ['assignee', 'label', 'priority', 'due', 'value_min', 'value_max', 'q', 'stale'] as const
const DUES = ['overdue', 'today', 'week', 'none'] as const

function first(v: QueryLike[string]): string {
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s.trim() : ''
}

function cents(v: string): number | undefined {
  if (!/^\d{1,15}$/.test(v)) return undefined
  const n = Number(v)
  return Number.isSafeInteger(n) ? n : undefined
}

/** Reads the filters from a query (vue-router's, or URLSearchParams made into an object). */
export function filtersFromQuery(query: QueryLike): CardFilters {
  const f: CardFilters = {}
  const assignee = first(query.assignee)
  if (assignee && assignee.length <= 64) f.assignee = assignee
  const label = first(query.label)
  if (label && label.length <= 50 && !/["\\]/.test(label)) f.label = label
  const priority = first(query.priority)
  if ((PRIORITIES as string[]).includes(priority)) f.priority = priority as Priority
  const due = first(query.due)
  if ((DUES as readonly string[]).includes(due)) f.due = due as CardFilters['due']
  const min = cents(first(query.value_min))
  if (min !== undefined) f.value_min = min
  const max = cents(first(query.value_max))
  if (max !== undefined) f.value_max = max
  const q = first(query.q)
  if (q) f.q = q.slice(0, 200)
  const stale = first(query.stale)
  if (stale === 'true' || stale === 'false') f.stale = stale === 'true'
  return f
}

/** The query for filters: only what is set, as strings, in a stable order. */
export function filtersToQuery(filters: CardFilters): Record<string, string> {
  const out: Record<string, string> = {}
  if (filters.assignee) out.assignee = filters.assignee
  if (filters.label) out.label = filters.label
  if (filters.priority) out.priority = filters.priority
  if (filters.due) out.due = filters.due
  if (filters.value_min !== undefined) out.value_min = String(filters.value_min)
  if (filters.value_max !== undefined) out.value_max = String(filters.value_max)
  if (filters.q?.trim()) out.q = filters.q.trim()
  if (filters.stale !== undefined) out.stale = String(filters.stale)
  return out
}

/** A query with the filters replaced and every other parameter (card, board…) kept. */
export function withFilters(query: QueryLike, filters: CardFilters): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(query)) {
    if ((FILTER_KEYS as readonly string[]).includes(k)) continue
    const s = first(v)
    if (s !== '') out[k] = s
  }
  return { ...out, ...filtersToQuery(filters) }
}

export function sameFilters(a: CardFilters, b: CardFilters): boolean {
  return JSON.stringify(filtersToQuery(a)) === JSON.stringify(filtersToQuery(b))
}

export function activeFilterCount(filters: CardFilters): number {
  return Object.keys(filtersToQuery(filters)).length
}

/** The URLSearchParams of a search string as a QueryLike. */
export function queryFromSearch(search: string): QueryLike {
  const out: QueryLike = {}
  for (const [k, v] of new URLSearchParams(search)) if (!(k in out)) out[k] = v
  return out
}
