/**
 * The composer's mentions: the "@query" being typed at the caret, the people it suggests, what
 * picking one writes, and the mention_ids a send carries (the people picked whose "@Name" is
 * still in the text; the hub also resolves names typed by hand).
 */
import type { Person } from '@/api/chat'
import { fold } from './markdown'

export interface MentionQuery {
  /** Index of the "@". */
  start: number
  query: string
}

/** The mention being typed at caret, or null. */
export function activeQuery(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret)
  const at = before.lastIndexOf('@')
  if (at < 0) return null
  if (at > 0 && /[\p{L}\p{N}_]/u.test(before[at - 1] ?? '')) return null
  const query = before.slice(at + 1)
  if (query.length > 40 || /[\n@]/.test(query) || /\s\s/.test(query) || query.startsWith(' ')) return null
  return { start: at, query }
}

/** People whose name, or a word of it, starts with the query (accents and case ignored). */
export function suggest(people: Person[], query: string, me: string | null, limit = 6): Person[] {
  const q = fold(query.trim())
  const hits = people.filter((p) => {
    if (p.id === me || !p.name) return false
    if (!q) return true
    const name = fold(p.name)
    return name.startsWith(q) || name.split(/\s+/).some((w) => w.startsWith(q))
  })
  return hits.slice(0, limit)
}

/** Writes "@Full Name " over the query; answers the new text and caret. */
export function insertMention(text: string, q: MentionQuery, caret: number, person: Person): { text: string; caret: number } {
  const inserted = `@${person.name} `
  const next = text.slice(0, q.start) + inserted + text.slice(caret)
  return { text: next, caret: q.start + inserted.length }
}

/** The ids of the picked people still mentioned in the text. */
export function mentionIds(text: string, picked: Person[]): string[] {
  const t = fold(text)
  const out: string[] = []
  for (const p of picked) {
    if (!out.includes(p.id) && t.includes(`@${fold(p.name)}`)) out.push(p.id)
  }
  return out
}
