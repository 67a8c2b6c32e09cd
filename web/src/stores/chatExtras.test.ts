import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api } from '@/api/client'
import type { ChatMessage, ChatRoom } from '@/api/chat'
import type { TopicHandlers } from '@/lib/realtime'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub, type HubRequest, type HubRoutes } from '@/testing/fakeHub'
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

/** A realtime client that records what the page publishes and plays events and ephemeral events. */
function recordingRealtime() {
  const published: { topic: string; event: string; data: unknown }[] = []
  let handlers: TopicHandlers | null = null
  let seq = 100
  return {
    published,
    client: {
      subscribe(_topic: string, _last: number | null, h: TopicHandlers) {
        handlers = h
        return { close: () => (handlers = null) }
      },
      publish(topic: string, event: string, data: unknown) {
        if (!handlers) return false
        published.push({ topic, event, data })
        return true
      },
    },
    live: () => handlers?.onLive?.(seq),
    emit: (event: string, data: unknown) => handlers!.onEvent({ seq: ++seq, event, account_id: A, topic: 'chat', data }),
    ephemeral: (event: string, data: unknown) => handlers!.onEphemeral?.({ event, data }),
  }
}

async function started(routes: HubRoutes = {}) {
  const hub = fakeHub({
    [`GET ${base}/rooms`]: () => json({ data: [room('r1'), room('r2', { type: 'public', name: 'Vendas', member_ids: ['me', 'bia', 'caio'] })], seq: 40 }),
    [`GET ${base}/people`]: () => json({ data: [{ id: 'me', name: 'Eu' }, { id: 'bia', name: 'Bia Lima' }, { id: 'caio', name: 'Caio' }] }),
    [`GET ${base}/presence`]: () =>
      json({ data: [{ user_id: 'bia', status: 'away', expires_at: '2026-01-01T00:01:15Z' }], pagination: {}, ttl_seconds: 60 }),
    [`GET ${base}/rooms/r1/messages`]: () => json({ data: [msg(1), msg(2, { pinned_at: '2026-01-03T00:00:00Z', pinned_by: 'bia' })], has_more_before: false, has_more_after: false, seq: 41 }),
    [`GET ${base}/rooms/r1/pins`]: () => json({ data: [msg(2, { pinned_at: '2026-01-03T00:00:00Z', pinned_by: 'bia' })], pagination: {} }),
    ...routes,
  })
  api.configure({ base: '/', fetch: hub.fetch })
  setActivePinia(createPinia())
  const store = useChatStore()
  const rt = recordingRealtime()
  await store.start({ accountId: A, userId: 'me', realtime: rt.client, notify: null })
  return { hub, store, rt }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('chat presence', () => {
  it('reads who is online, follows chat.presence, and lapses a status the hub stopped renewing', async () => {
    const { store, rt } = await started()
    await vi.waitFor(() => expect(store.presenceOf('bia')).toBe('away'))
    expect(store.presenceOf('caio')).toBe('offline')
    rt.ephemeral('chat.presence', { user_id: 'caio', status: 'online', expires_at: '2026-01-01T00:00:00Z' })
    expect(store.presenceOf('caio')).toBe('online')
    // Held for the hub's ttl (60 s) on the page's clock, whatever the hub's clock says.
    expect(store.presenceOf('caio', Date.now() + 59_000)).toBe('online')
    expect(store.presenceOf('caio', Date.now() + 61_000)).toBe('offline')
    rt.ephemeral('chat.presence', { user_id: 'bia', status: 'offline', expires_at: '2026-01-01T00:00:00Z' })
    expect(store.presenceOf('bia')).toBe('offline')
    rt.ephemeral('chat.presence', { user_id: 'bia', status: 'dancing' })
    expect(store.presenceOf('bia')).toBe('offline')
  })

  it('announces the viewer online when live, away while the page is hidden, renews it, and says offline on leaving', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const { store, rt } = await started()
    await vi.waitFor(() => expect(rt.published).toContainEqual({ topic: 'chat', event: 'chat.presence', data: { status: 'online' } }))
    expect(store.presenceOf('me')).toBe('online')
    const n = rt.published.length
    vi.advanceTimersByTime(20_000) // a third of the ttl
    expect(rt.published.length).toBe(n + 1)

    const vis = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden')
    document.dispatchEvent(new Event('visibilitychange'))
    expect(rt.published.at(-1)).toEqual({ topic: 'chat', event: 'chat.presence', data: { status: 'away' } })
    vis.mockReturnValue('visible')
    document.dispatchEvent(new Event('visibilitychange'))
    expect(rt.published.at(-1)!.data).toEqual({ status: 'online' })
    // A reconnect announces again (the hub may have lapsed it meanwhile).
    rt.live()
    expect(rt.published.at(-1)!.data).toEqual({ status: 'online' })

    store.stop()
    expect(rt.published.at(-1)!.data).toEqual({ status: 'offline' })
    const after = rt.published.length
    vi.advanceTimersByTime(60_000)
    expect(rt.published.length).toBe(after)
    vis.mockRestore()
  })
})

describe('chat pins', () => {
  it('lists the open room pins, pins and unpins through the hub, and follows others pins live', async () => {
    const calls: HubRequest[] = []
    const { store, rt } = await started({
      [`POST ${base}/rooms/r1/messages/m1/pin`]: (req) => {
        calls.push(req)
        return json(msg(1, { pinned_at: '2026-01-04T00:00:00Z', pinned_by: 'me' }))
      },
      [`DELETE ${base}/rooms/r1/messages/m2/pin`]: (req) => {
        calls.push(req)
        return json(msg(2))
      },
    })
    await store.openRoomById('r1')
    await vi.waitFor(() => expect(store.pinsStatus).toBe('ready'))
    expect(store.pins.map((m) => m.id)).toEqual(['m2'])

    await store.togglePin(store.timeline.messages.find((m) => m.id === 'm1')!)
    expect(store.pins.map((m) => m.id)).toEqual(['m1', 'm2']) // the newest pin first
    expect(store.timeline.messages.find((m) => m.id === 'm1')!.pinned_at).not.toBeNull()
    await store.togglePin(store.timeline.messages.find((m) => m.id === 'm2')!)
    expect(store.pins.map((m) => m.id)).toEqual(['m1'])
    expect(calls.map((c) => c.method)).toEqual(['POST', 'DELETE'])

    // Someone else pins a message, and another deletes a pinned one.
    rt.emit('chat.message.updated', { room_id: 'r1', change: 'pinned', message: msg(2, { pinned_at: '2026-01-05T00:00:00Z', pinned_by: 'bia', updated_at: '2026-01-05T00:00:00Z' }) })
    expect(store.pins.map((m) => m.id)).toEqual(['m2', 'm1'])
    rt.emit('chat.message.deleted', { room_id: 'r1', message: msg(1, { content: '', deleted_at: '2026-01-06T00:00:00Z', updated_at: '2026-01-06T00:00:00Z' }) })
    expect(store.pins.map((m) => m.id)).toEqual(['m2'])
    // Another room's pins never reach this list.
    rt.emit('chat.message.updated', { room_id: 'r2', change: 'pinned', message: msg(9, { room_id: 'r2', pinned_at: '2026-01-05T00:00:00Z' }) })
    expect(store.pins.map((m) => m.id)).toEqual(['m2'])
  })

  it('shows the hub refusal of a pin past the limit and keeps the list', async () => {
    const { store } = await started({
      [`POST ${base}/rooms/r1/messages/m1/pin`]: () => envelope(422, 'UNPROCESSABLE', 'a room has at most 50 pinned messages; unpin one first'),
    })
    await store.openRoomById('r1')
    await vi.waitFor(() => expect(store.pinsStatus).toBe('ready'))
    await expect(store.togglePin(store.timeline.messages[0]!)).rejects.toMatchObject({ status: 422 })
    expect(store.pins.map((m) => m.id)).toEqual(['m2'])
  })
})

describe('chat search', () => {
  it('searches the rooms, pages on, drops a superseded answer, and opens a result at its message', async () => {
    const asked: HubRequest[] = []
    let releaseSlow: () => void = () => undefined
    const { store } = await started({
      [`GET ${base}/search`]: async (req) => {
        asked.push(req)
        const q = req.query.get('q')
        if (q === 'lento') {
          await new Promise<void>((r) => (releaseSlow = r))
          return json({ data: [msg(7, { content: 'lento' })], pagination: { has_more: false } })
        }
        if (req.query.get('cursor') === 'c1') return json({ data: [msg(1, { content: 'pedido antigo' })], pagination: { has_more: false } })
        return json({ data: [msg(5, { content: 'pedido 5', room_id: 'r2' }), msg(3, { content: 'pedido 3' })], pagination: { has_more: true, next_cursor: 'c1' } })
      },
      [`GET ${base}/rooms/r1/messages`]: (req) =>
        json({ data: [msg(2), msg(3, { content: 'pedido 3' }), msg(4)], has_more_before: true, has_more_after: true, seq: 41, around: req.query.get('around') }),
    })
    const slow = store.runSearch('lento')
    await vi.waitFor(() => expect(asked).toHaveLength(1))
    await store.runSearch('pedido')
    releaseSlow()
    await slow
    expect(store.search.results.map((m) => m.id)).toEqual(['m5', 'm3'])
    expect(store.search.hasMore).toBe(true)
    await store.searchMore()
    expect(store.search.results.map((m) => m.id)).toEqual(['m5', 'm3', 'm1'])
    expect(store.search.hasMore).toBe(false)

    await store.openRoomById('r1', 'm3')
    expect(store.focus).toMatchObject({ id: 'm3' })
    store.clearSearch()
    expect(store.search).toMatchObject({ q: '', results: [], status: 'idle' })
  })
})
