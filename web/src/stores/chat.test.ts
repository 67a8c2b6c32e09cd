import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it, vi } from 'vitest'
import { api } from '@/api/client'
import type { ChatMessage, ChatRoom } from '@/api/chat'
import { json } from '@/testing/fakeFetch'
import { fakeHub, type HubRequest, type HubRoutes } from '@/testing/fakeHub'
import { fakeRealtime } from '@/testing/kanbanFixtures'
import { useChatStore } from './chat'

const A = 'acct1'
const base = `/api/v1/accounts/${A}/chat`

function room(id: string, over: Partial<ChatRoom> = {}): ChatRoom {
  return {
    id, type: 'dm', name: '', topic: '', member_ids: ['me', 'bia'], created_by: 'me', last_seq: 2, last_message_at: null, archived_at: null,
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', member: true, role: 'owner', unread_count: 0, mention_count: 0,
    last_read_seq: 2, muted: false, muted_until: null, hidden: false, last_message: null, ...over,
  }
}
function msg(seq: number, over: Partial<ChatMessage> = {}): ChatMessage {
  const at = `2026-01-02T00:00:${String(seq).padStart(2, '0')}Z`
  return {
    id: `m${seq}`, room_id: 'r1', seq, kind: 'text', author_id: 'bia', content: `n${seq}`, echo_id: null, reply_to_id: null, mentions: [],
    mentions_room: false, reactions: [], attachments: [], conversation: null, pinned_at: null, pinned_by: null, edited_at: null,
    deleted_at: null, created_at: at, updated_at: at, ...over,
  }
}

async function started(routes: HubRoutes = {}, rooms = [room('r1'), room('r2', { type: 'public', name: 'Vendas', muted: true })]) {
  const hub = fakeHub({
    [`GET ${base}/rooms`]: () => json({ data: rooms, seq: 40 }),
    [`GET ${base}/people`]: () => json({ data: [{ id: 'me', name: 'Eu' }, { id: 'bia', name: 'Bia Lima' }] }),
    [`GET ${base}/rooms/r1/messages`]: () => json({ data: [msg(1), msg(2)], has_more_before: false, has_more_after: false, seq: 41 }),
    ...routes,
  })
  api.configure({ base: '/', fetch: hub.fetch })
  setActivePinia(createPinia())
  const store = useChatStore()
  const rt = fakeRealtime()
  const notify = vi.fn()
  let looking = false
  await store.start({ accountId: A, userId: 'me', realtime: rt.client, notify, visible: () => looking })
  return { hub, store, rt, notify, look: (v: boolean) => (looking = v) }
}

const keys = (store: ReturnType<typeof useChatStore>) => store.shown.map((i) => i.key)

describe('the chat store', () => {
  it('follows the chat topic from the room list, names DMs by their people, and counts the badge', async () => {
    const { store, rt } = await started()
    expect(rt.subs[0]).toMatchObject({ topic: 'chat', lastSeq: 40 })
    expect(store.title(store.rooms.get('r1')!)).toBe('Bia Lima')
    rt.emit('chat.message.created', { room_id: 'r1', message: msg(3, { mentions: ['me'] }) })
    rt.emit('chat.message.created', { room_id: 'r2', message: msg(3, { room_id: 'r2' }) })
    expect(store.totals).toEqual({ unread: 1, mentions: 1 }) // r2 is muted
    expect(store.sortedRooms[0]?.id).toBe('r1')
  })

  it('replaces the optimistic copy with the hub message, whether the event or the answer comes first', async () => {
    let release: () => void = () => undefined
    const sent: HubRequest[] = []
    const { store, rt } = await started({
      [`POST ${base}/rooms/r1/messages`]: async (req) => {
        sent.push(req)
        await new Promise<void>((r) => (release = r))
        return json(msg(3, { author_id: 'me', echo_id: (req.body as { echo_id: string }).echo_id, content: 'oi' }), 201)
      },
    })
    await store.openRoomById('r1')
    const sending = store.send('oi @Bia Lima', { mentionIds: ['bia'] })
    await vi.waitFor(() => expect(sent).toHaveLength(1))
    const echo = (sent[0]!.body as { echo_id: string; mention_ids: string[] }).echo_id
    expect((sent[0]!.body as { mention_ids: string[] }).mention_ids).toEqual(['bia'])
    expect(keys(store)).toEqual(['m1', 'm2', `echo:${echo}`])
    // The event arrives before the answer: one copy, the hub's.
    rt.emit('chat.message.created', { room_id: 'r1', message: msg(3, { author_id: 'me', echo_id: echo, content: 'oi' }) })
    expect(keys(store)).toEqual(['m1', 'm2', 'm3'])
    release()
    await sending
    expect(keys(store)).toEqual(['m1', 'm2', 'm3'])
    expect(store.rooms.get('r1')!.unread_count).toBe(0)
  })

  it('applies edits and deletes to the open room, replayed ones once', async () => {
    const { store, rt } = await started()
    await store.openRoomById('r1')
    const edited = msg(2, { content: 'novo', edited_at: '2026-01-03T00:00:00Z', updated_at: '2026-01-03T00:00:00Z' })
    rt.emit('chat.message.updated', { room_id: 'r1', message: edited, change: 'edited' })
    rt.emit('chat.message.deleted', { room_id: 'r1', message: msg(1, { content: '', deleted_at: '2026-01-03T00:00:00Z', updated_at: '2026-01-03T00:00:00Z' }) })
    rt.emit('chat.message.updated', { room_id: 'r1', message: msg(2), change: 'edited' }) // an older version: ignored
    expect(store.shown.map((i) => [i.key, i.message.content, i.message.deleted_at !== null])).toEqual([
      ['m1', '', true],
      ['m2', 'novo', false],
    ])
  })

  it('reads everything again on resync and resumes from the older sequence', async () => {
    let round = 0
    const { store, rt } = await started({
      [`GET ${base}/rooms/r1/messages`]: () => json({ data: round++ === 0 ? [msg(1)] : [msg(1), msg(2), msg(3)], has_more_before: false, has_more_after: false, seq: 55 }),
    })
    await store.openRoomById('r1')
    expect(keys(store)).toEqual(['m1'])
    await expect(rt.resync()).resolves.toBe(40)
    expect(keys(store)).toEqual(['m1', 'm2', 'm3'])
  })

  it('notifies DMs and mentions when the person is not looking at the room, never muted rooms', async () => {
    const { store, rt, notify, look } = await started()
    rt.emit('chat.message.created', { room_id: 'r1', message: msg(3, { content: '**oi**' }) })
    rt.emit('chat.message.created', { room_id: 'r2', message: msg(4, { room_id: 'r2', mentions: ['me'] }) })
    expect(notify).toHaveBeenCalledTimes(1)
    expect(notify.mock.calls[0]![0]).toMatchObject({ title: 'Bia Lima', body: 'oi', roomId: 'r1' })
    await store.openRoomById('r1')
    look(true)
    rt.emit('chat.message.created', { room_id: 'r1', message: msg(5) })
    expect(notify).toHaveBeenCalledTimes(1)
  })

  it('says the chat is off when the hub refuses it', async () => {
    const hub = fakeHub({ [`GET ${base}/rooms`]: () => json({ error: { code: 'FEATURE_DISABLED', message: 'off' } }, 403) })
    api.configure({ base: '/', fetch: hub.fetch })
    setActivePinia(createPinia())
    const store = useChatStore()
    await store.start({ accountId: A, userId: 'me', realtime: null })
    expect(store.status).toBe('disabled')
  })
})
