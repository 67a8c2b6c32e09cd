/**
 * The messages of the open room as the page shows them: pages read from the hub (oldest first,
 * by seq), live events applied idempotently by message id, and the sender's optimistic copies,
 * which wait at the end until the hub's message with the same echo_id replaces them (from the
 * send's answer or its event, whichever comes first; never both shown).
 */
import type { ChatMessage, MessagePage } from '@/api/chat'

export type PendingState = 'sending' | 'failed'

export interface PendingMessage {
  echoId: string
  message: ChatMessage
  state: PendingState
}

export interface Timeline {
  messages: ChatMessage[]
  pending: PendingMessage[]
  hasMoreBefore: boolean
  hasMoreAfter: boolean
}

export interface TimelineItem {
  key: string
  message: ChatMessage
  pending: PendingState | null
}

export function emptyTimeline(): Timeline {
  return { messages: [], pending: [], hasMoreBefore: false, hasMoreAfter: false }
}

function bySeq(a: ChatMessage, b: ChatMessage): number {
  return a.seq - b.seq
}

function dedupe(list: ChatMessage[]): ChatMessage[] {
  const seen = new Map<string, ChatMessage>()
  for (const m of list) {
    const had = seen.get(m.id)
    if (!had || newer(m, had)) seen.set(m.id, m)
  }
  return [...seen.values()].sort(bySeq)
}

/** Whether a is at least as recent a version of a message as b. */
function newer(a: ChatMessage, b: ChatMessage): boolean {
  return Date.parse(a.updated_at) >= Date.parse(b.updated_at)
}

/** Replaces what is shown with one page (the newest, or the one around a message). */
export function setPage(tl: Timeline, page: MessagePage): void {
  tl.messages = dedupe(page.data)
  tl.hasMoreBefore = page.has_more_before
  tl.hasMoreAfter = page.has_more_after
  dropConfirmed(tl)
}

/** Adds an older page in front. */
export function prependPage(tl: Timeline, page: MessagePage): void {
  tl.messages = dedupe([...page.data, ...tl.messages])
  tl.hasMoreBefore = page.has_more_before
}

/** Adds a newer page behind. */
export function appendPage(tl: Timeline, page: MessagePage): void {
  tl.messages = dedupe([...tl.messages, ...page.data])
  tl.hasMoreAfter = page.has_more_after
  dropConfirmed(tl)
}

export type UpsertResult = 'added' | 'updated' | 'ignored'

/**
 * Applies one version of a message (an event, a send's or an edit's answer). An older version
 * than the one shown is ignored; a message past the loaded range (newer pages not read yet) is
 * left for the paging to bring.
 */
export function upsert(tl: Timeline, m: ChatMessage): UpsertResult {
  removePendingFor(tl, m)
  const i = tl.messages.findIndex((x) => x.id === m.id)
  if (i >= 0) {
    const had = tl.messages[i]!
    if (!newer(m, had)) return 'ignored'
    tl.messages.splice(i, 1, m)
    return 'updated'
  }
  const last = tl.messages[tl.messages.length - 1]
  if (tl.hasMoreAfter && last && m.seq > last.seq) return 'ignored'
  const first = tl.messages[0]
  if (tl.hasMoreBefore && first && m.seq < first.seq) return 'ignored'
  let at = tl.messages.length
  while (at > 0 && tl.messages[at - 1]!.seq > m.seq) at--
  tl.messages.splice(at, 0, m)
  return 'added'
}

/** Retention removed messages up to through (their seq). */
export function prune(tl: Timeline, through: number): void {
  tl.messages = tl.messages.filter((m) => m.seq > through)
}

export function addPending(tl: Timeline, p: PendingMessage): void {
  tl.pending.push(p)
}

export function setPendingState(tl: Timeline, echoId: string, state: PendingState): void {
  const p = tl.pending.find((x) => x.echoId === echoId)
  if (p) p.state = state
}

export function removePending(tl: Timeline, echoId: string): PendingMessage | null {
  const i = tl.pending.findIndex((x) => x.echoId === echoId)
  return i < 0 ? null : (tl.pending.splice(i, 1)[0] ?? null)
}

function removePendingFor(tl: Timeline, m: ChatMessage): void {
  if (m.echo_id) {
    const i = tl.pending.findIndex((p) => p.echoId === m.echo_id && p.message.author_id === m.author_id)
    if (i >= 0) tl.pending.splice(i, 1)
  }
}

function dropConfirmed(tl: Timeline): void {
  for (const m of tl.messages) removePendingFor(tl, m)
}

/** What the list shows, in order: the hub's messages, then the optimistic copies. */
export function items(tl: Timeline): TimelineItem[] {
  return [
    ...tl.messages.map((m) => ({ key: m.id, message: m, pending: null })),
    ...tl.pending.map((p) => ({ key: `echo:${p.echoId}`, message: p.message, pending: p.state })),
  ]
}

/** A fresh echo id: unique per author, printable, at most 64 characters. */
export function newEchoId(random: () => string = () => Math.random().toString(36).slice(2, 10)): string {
  return `w-${Date.now().toString(36)}-${random()}`
}
