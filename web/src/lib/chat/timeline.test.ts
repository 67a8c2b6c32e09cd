import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '@/api/chat'
import { addPending, appendPage, emptyTimeline, items, prependPage, prune, setPage, upsert } from './timeline'

function msg(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString()
  return {
    id: `m${seq}`, room_id: 'r', seq, kind: 'text', author_id: 'ana', content: `n${seq}`, echo_id: null, reply_to_id: null,
    mentions: [], mentions_room: false, reactions: [], attachments: [], conversation: null, pinned_at: null, pinned_by: null,
    edited_at: null, deleted_at: null, created_at: at, updated_at: at, ...over,
  }
}
const page = (seqs: number[], before = false, after = false) => ({ data: seqs.map((s) => msg(s)), has_more_before: before, has_more_after: after, seq: 0 })
const seqs = (tl: ReturnType<typeof emptyTimeline>) => items(tl).map((i) => i.message.seq)

describe('chat timeline', () => {
  it('pages before and after, each message once, in order', () => {
    const tl = emptyTimeline()
    setPage(tl, page([5, 6, 7], true))
    prependPage(tl, page([3, 4, 5], true))
    prependPage(tl, page([1, 2], false))
    expect(seqs(tl)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(tl.hasMoreBefore).toBe(false)
  })

  it('applies events idempotently and keeps the newest version', () => {
    const tl = emptyTimeline()
    setPage(tl, page([1, 2]))
    expect(upsert(tl, msg(3))).toBe('added')
    upsert(tl, msg(3)) // the same event again (a replay): still one copy
    expect(seqs(tl)).toEqual([1, 2, 3])
    const edited = msg(2, { content: 'novo', edited_at: '2026-01-01T01:00:00Z', updated_at: '2026-01-01T01:00:00Z' })
    expect(upsert(tl, edited)).toBe('updated')
    // An older answer arriving late does not undo the edit.
    expect(upsert(tl, msg(2))).toBe('ignored')
    const gone = msg(1, { content: '', deleted_at: '2026-01-01T02:00:00Z', updated_at: '2026-01-01T02:00:00Z' })
    upsert(tl, gone)
    expect(items(tl).map((i) => [i.message.seq, i.message.content, i.message.deleted_at !== null])).toEqual([
      [1, '', true],
      [2, 'novo', false],
      [3, 'n3', false],
    ])
  })

  it('leaves messages past the loaded range to paging', () => {
    const tl = emptyTimeline()
    setPage(tl, page([10, 11], true, true))
    expect(upsert(tl, msg(20))).toBe('ignored')
    appendPage(tl, page([12, 20]))
    expect(seqs(tl)).toEqual([10, 11, 12, 20])
    expect(upsert(tl, msg(21))).toBe('added')
  })

  it('replaces the optimistic copy by echo id, from the answer or the event', () => {
    const tl = emptyTimeline()
    setPage(tl, page([1]))
    addPending(tl, { echoId: 'e1', message: msg(99, { id: 'echo:e1', echo_id: 'e1' }), state: 'sending' })
    expect(items(tl).map((i) => i.key)).toEqual(['m1', 'echo:e1'])
    upsert(tl, msg(2, { echo_id: 'e1' })) // the event
    upsert(tl, msg(2, { echo_id: 'e1' })) // then the answer
    expect(items(tl).map((i) => i.key)).toEqual(['m1', 'm2'])
    // Someone else's message with the same echo id replaces nothing of mine.
    addPending(tl, { echoId: 'e2', message: msg(99, { id: 'echo:e2', echo_id: 'e2' }), state: 'sending' })
    upsert(tl, msg(3, { echo_id: 'e2', author_id: 'bia' }))
    expect(items(tl).map((i) => i.key)).toEqual(['m1', 'm2', 'm3', 'echo:e2'])
  })

  it('prunes what retention removed', () => {
    const tl = emptyTimeline()
    setPage(tl, page([1, 2, 3]))
    prune(tl, 2)
    expect(seqs(tl)).toEqual([3])
  })
})
