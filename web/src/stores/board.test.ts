import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api } from '@/api/client'
import type { Card } from '@/api/kanban'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub, type HubRoutes } from '@/testing/fakeHub'
import { ACCOUNT, BOARD, boardAnswer, card, cardPage, fakeRealtime } from '@/testing/kanbanFixtures'
import { TOTALS_MAX_WAIT_MS, TOTALS_SETTLE_MS, useBoardStore } from './board'

const base = `/api/v1/accounts/${ACCOUNT}/boards/${BOARD}`

function setup(routes: HubRoutes, cards: Card[] = defaultCards(), more?: Record<string, string>) {
  const hub = fakeHub({
    [`GET ${base}`]: () => json(boardAnswer(12)),
    [`GET ${base}/cards`]: () => json(cardPage(cards, { seq: 11, more })),
    ...routes,
  })
  api.configure({ base: '/', fetch: hub.fetch })
  setActivePinia(createPinia())
  const store = useBoardStore()
  const rt = fakeRealtime()
  return { hub, store, rt }
}

function defaultCards(): Card[] {
  return [card('a', 'new', 1024), card('b', 'new', 2048, { value_cents: 25000 }), card('c', 'deal', 1024, { value_cents: 40000 })]
}

async function opened(routes: HubRoutes = {}, cards?: Card[], more?: Record<string, string>) {
  const s = setup(routes, cards, more)
  await s.store.open({ accountId: ACCOUNT, boardId: BOARD, filters: {}, userId: 'u1', realtime: s.rt.client })
  return s
}

function ids(store: ReturnType<typeof useBoardStore>, stageId: string): string[] {
  return store.model.columns[stageId]?.cards.map((c) => c.id) ?? []
}

function totals(store: ReturnType<typeof useBoardStore>, stageId: string) {
  const c = store.model.columns[stageId]!
  return { count: c.count, value: c.valueCents }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('opening a board', () => {
  it('reads the board and the first page of every column with totals, then follows its topic from the older sequence', async () => {
    const { store, rt, hub } = await opened()
    expect(store.status).toBe('ready')
    expect(store.stages.map((s) => s.id)).toEqual(['new', 'deal', 'won', 'lost'])
    expect(ids(store, 'new')).toEqual(['a', 'b'])
    expect(ids(store, 'deal')).toEqual(['c'])
    expect(totals(store, 'new')).toEqual({ count: 2, value: 35000 })
    expect(rt.subs).toHaveLength(1)
    expect(rt.subs[0]).toMatchObject({ topic: `board:${BOARD}`, lastSeq: 11 })
    expect(hub.calls(`GET ${base}/cards`)[0]?.query.get('limit')).toBe('30')
  })

  it('says why when the board cannot be read', async () => {
    const { store, rt } = setup({ [`GET ${base}`]: () => envelope(404, 'NOT_FOUND') })
    await store.open({ accountId: ACCOUNT, boardId: BOARD, filters: {}, userId: 'u1', realtime: rt.client })
    expect(store.status).toBe('error')
    expect(store.error?.code).toBe('NOT_FOUND')
    expect(rt.subs).toHaveLength(0)
  })

  it('sends the filters and reads the cards again when they change, keeping the subscription', async () => {
    const { store, hub, rt } = await opened()
    await store.setFilters({ assignee: 'me', q: 'Maria', due: 'overdue' })
    const q = hub.calls(`GET ${base}/cards`).at(-1)!.query
    expect(q.get('assignee')).toBe('me')
    expect(q.get('q')).toBe('Maria')
    expect(q.get('due')).toBe('overdue')
    expect(q.get('tz')).toBeTruthy()
    expect(rt.subs.filter((s) => !s.closed)).toHaveLength(1)
  })
})

describe('live updates', () => {
  it('moves a card another person moved, once, and updates both columns', async () => {
    const { store, rt } = await opened()
    const moved = card('a', 'deal', 2048, { version: 2 })
    rt.emit('card.moved', { card: moved, from_stage_id: 'new' })
    rt.emit('card.moved', { card: moved, from_stage_id: 'new' }) // the same event, replayed
    expect(ids(store, 'new')).toEqual(['b'])
    expect(ids(store, 'deal')).toEqual(['c', 'a'])
    expect(totals(store, 'new')).toEqual({ count: 1, value: 25000 })
    expect(totals(store, 'deal')).toEqual({ count: 2, value: 50000 })
    // An older version arriving late changes nothing.
    rt.emit('card.moved', { card: card('a', 'new', 10, { version: 1 }), from_stage_id: 'deal' })
    expect(ids(store, 'deal')).toEqual(['c', 'a'])
  })

  it('applies activity that keeps the version (a newer preview), and not an older copy of it', async () => {
    const { store, rt } = await opened()
    const later = card('c', 'deal', 1024, { value_cents: 40000, last_message_preview: 'Oi!', updated_at: '2026-01-02T00:00:00Z' })
    rt.emit('card.updated', { card: later })
    expect(store.cardById('c')?.last_message_preview).toBe('Oi!')
    rt.emit('card.updated', { card: card('c', 'deal', 1024, { last_message_preview: 'older', updated_at: '2026-01-01T12:00:00Z' }) })
    expect(store.cardById('c')?.last_message_preview).toBe('Oi!')
    expect(totals(store, 'deal')).toEqual({ count: 1, value: 40000 })
  })

  it('adds created cards, drops deleted ones and keeps a deleted card deleted', async () => {
    const { store, rt } = await opened()
    rt.emit('card.created', { card: card('d', 'new', 1500, { value_cents: 1000 }) })
    expect(ids(store, 'new')).toEqual(['a', 'd', 'b'])
    expect(totals(store, 'new')).toEqual({ count: 3, value: 36000 })
    rt.emit('card.deleted', { card_id: 'b', stage_id: 'new', board_id: BOARD })
    expect(ids(store, 'new')).toEqual(['a', 'd'])
    expect(totals(store, 'new')).toEqual({ count: 2, value: 11000 })
    rt.emit('card.updated', { card: card('b', 'new', 2048, { version: 5 }) })
    expect(ids(store, 'new')).toEqual(['a', 'd'])
  })

  it('does not show a card that sorts past the loaded page; counts it all the same', async () => {
    const { store, rt } = await opened({}, defaultCards(), { new: 'cursor-1' })
    rt.emit('card.moved', { card: card('z', 'new', 999_999, { version: 3 }), from_stage_id: 'deal' })
    expect(ids(store, 'new')).toEqual(['a', 'b'])
    expect(totals(store, 'new').count).toBe(3)
  })

  it('hides live cards the filters exclude', async () => {
    const { store, rt } = await opened()
    await store.setFilters({ label: 'vip' })
    rt.emit('card.created', { card: card('e', 'new', 10, { labels: ['other'] }) })
    rt.emit('card.created', { card: card('f', 'new', 20, { labels: ['vip'] }) })
    expect(ids(store, 'new')).toContain('f')
    expect(ids(store, 'new')).not.toContain('e')
  })

  it('holds events during a drag and applies them, in order, when it ends', async () => {
    const { store, rt } = await opened()
    store.hold()
    rt.emit('card.moved', { card: card('a', 'deal', 2048, { version: 2 }), from_stage_id: 'new' })
    rt.emit('card.moved', { card: card('a', 'won', 1024, { version: 3 }), from_stage_id: 'deal' })
    expect(ids(store, 'new')).toEqual(['a', 'b'])
    store.release()
    expect(ids(store, 'new')).toEqual(['b'])
    expect(ids(store, 'deal')).toEqual(['c'])
    expect(ids(store, 'won')).toEqual(['a'])
  })

  it('follows stage events: new, renamed, reordered and deleted stages', async () => {
    const { store, rt } = await opened()
    rt.emit('stage.created', { ...boardAnswer().stages![0]!, id: 'extra', name: 'Extra', position: 1500 })
    expect(store.stages.map((s) => s.id)).toEqual(['new', 'extra', 'deal', 'won', 'lost'])
    rt.emit('stage.updated', { ...boardAnswer().stages![1]!, name: 'Fechando' })
    expect(store.model.columns.deal?.stage.name).toBe('Fechando')
    rt.emit('stage.deleted', { board_id: BOARD, stage_id: 'extra' })
    expect(store.stages.map((s) => s.id)).toEqual(['new', 'deal', 'won', 'lost'])
  })

  it('reloads on resync and resumes from the new snapshot', async () => {
    let round = 0
    const { store, rt } = await opened({
      [`GET ${base}/cards`]: () => json(cardPage(round++ === 0 ? defaultCards() : [card('a', 'won', 1, { version: 9 })], { seq: round === 1 ? 11 : 40 })),
      [`GET ${base}`]: () => json(boardAnswer(round === 0 ? 12 : 41)),
    })
    const seq = await rt.resync()
    expect(seq).toBe(40)
    expect(ids(store, 'new')).toEqual([])
    expect(ids(store, 'won')).toEqual(['a'])
  })

  it('checks the totals against the hub once events settle', async () => {
    vi.useFakeTimers()
    let hubTotals = cardPage(defaultCards()).totals
    const { store, rt, hub } = await opened({
      [`GET ${base}/cards`]: (req) => json(req.query.get('limit') === '1' ? { ...cardPage([]), totals: hubTotals } : cardPage(defaultCards(), { seq: 11 })),
    })
    // A card of another page changes value: the page cannot know the old one.
    rt.emit('card.updated', { card: card('far', 'deal', 99999, { version: 4, value_cents: 7000 }) })
    hubTotals = { ...hubTotals, deal: { count: 2, value_cents: 47000, weighted_value_cents: 23500 } }
    await vi.advanceTimersByTimeAsync(TOTALS_SETTLE_MS - 100)
    rt.emit('card.updated', { card: card('far', 'deal', 99999, { version: 5, value_cents: 7000 }) })
    await vi.advanceTimersByTimeAsync(TOTALS_SETTLE_MS + 10)
    expect(hub.calls(`GET ${base}/cards`).filter((r) => r.query.get('limit') === '1')).toHaveLength(1)
    expect(totals(store, 'deal')).toEqual({ count: 2, value: 47000 })
    // Events that never stop still get checked within the maximum wait.
    for (let t = 0; t < TOTALS_MAX_WAIT_MS; t += 500) {
      rt.emit('card.updated', { card: card('far', 'deal', 99999, { version: 10 + t, value_cents: 7000 }) })
      await vi.advanceTimersByTimeAsync(500)
    }
    expect(hub.calls(`GET ${base}/cards`).filter((r) => r.query.get('limit') === '1').length).toBeGreaterThanOrEqual(2)
  })
})

describe('moves', () => {
  it('shows the card at once, sends its version and neighbour, and takes the hub answer', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const { store, hub } = await opened({
      [`POST ${base}/cards/c/move`]: async () => {
        await gate
        return json(card('c', 'new', 1536, { version: 2, value_cents: 40000 }))
      },
    })
    const result = store.move('c', 'new', 1) // between a and b
    await Promise.resolve()
    expect(ids(store, 'new')).toEqual(['a', 'c', 'b'])
    expect(ids(store, 'deal')).toEqual([])
    expect(totals(store, 'new')).toEqual({ count: 3, value: 75000 })
    expect(hub.calls(`POST ${base}/cards/c/move`)[0]?.body).toEqual({ stage_id: 'new', version: 1, before_id: 'b' })
    release()
    await expect(result).resolves.toMatchObject({ ok: true })
    expect(store.cardById('c')?.version).toBe(2)
    expect(ids(store, 'new')).toEqual(['a', 'c', 'b'])
  })

  it('drops at the end with no neighbour, and at the top before the first card', async () => {
    const { store, hub } = await opened({
      [`POST ${base}/cards/a/move`]: (req) => json(card('a', (req.body as { stage_id: string }).stage_id, 5000, { version: 2 })),
    })
    await store.move('a', 'deal', 1)
    expect(hub.calls(`POST ${base}/cards/a/move`)[0]?.body).toEqual({ stage_id: 'deal', version: 1 })
    expect(ids(store, 'deal')).toEqual(['c', 'a'])
  })

  it('rolls back on 409 and shows the current card from the answer', async () => {
    const current = card('a', 'won', 1024, { version: 3, title: 'Deal a (changed)' })
    const { store } = await opened({
      [`POST ${base}/cards/a/move`]: () => json({ error: { code: 'CONFLICT', message: 'the card changed' }, card: current }, 409),
    })
    const result = await store.move('a', 'deal', 0)
    expect(result).toMatchObject({ ok: false, kind: 'conflict' })
    expect(ids(store, 'deal')).toEqual(['c'])
    expect(ids(store, 'new')).toEqual(['b'])
    expect(ids(store, 'won')).toEqual(['a'])
    expect(store.cardById('a')?.title).toBe('Deal a (changed)')
    expect(totals(store, 'deal')).toEqual({ count: 1, value: 40000 })
    expect(totals(store, 'won')).toEqual({ count: 1, value: 10000 })
    expect(store.conflict).toMatchObject({ cardId: 'a', stageName: 'Ganho' })
  })

  it('puts the card back where it was when the hub refuses the move', async () => {
    const { store } = await opened({
      [`POST ${base}/cards/a/move`]: () => envelope(422, 'LIMIT_EXCEEDED', 'the stage is at its WIP limit'),
    })
    const result = await store.move('a', 'deal', 0)
    expect(result).toMatchObject({ ok: false, kind: 'error' })
    expect(ids(store, 'new')).toEqual(['a', 'b'])
    expect(ids(store, 'deal')).toEqual(['c'])
    expect(totals(store, 'new')).toEqual({ count: 2, value: 35000 })
    expect(totals(store, 'deal')).toEqual({ count: 1, value: 40000 })
  })

  it('keeps the hub version when the move event arrives before the answer', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const { store, rt } = await opened({
      [`POST ${base}/cards/a/move`]: async () => {
        await gate
        return json(card('a', 'deal', 512, { version: 2 }))
      },
    })
    const result = store.move('a', 'deal', 0)
    await Promise.resolve()
    rt.emit('card.moved', { card: card('a', 'deal', 512, { version: 2 }), from_stage_id: 'new' })
    release()
    await result
    expect(ids(store, 'deal')).toEqual(['a', 'c'])
    expect(totals(store, 'deal')).toEqual({ count: 2, value: 50000 })
    expect(totals(store, 'new')).toEqual({ count: 1, value: 25000 })
  })

  it('marks won and lost through their endpoints, with the reason for lost', async () => {
    const { store, hub } = await opened({
      [`POST ${base}/cards/a/won`]: () => json(card('a', 'won', 1024, { version: 2 })),
      [`POST ${base}/cards/b/lost`]: () => json(card('b', 'lost', 1024, { version: 2, closed_reason: 'preço' })),
    })
    await store.markWon('a')
    await store.markLost('b', 'preço')
    expect(hub.calls(`POST ${base}/cards/a/won`)[0]?.body).toEqual({ version: 1 })
    expect(hub.calls(`POST ${base}/cards/b/lost`)[0]?.body).toEqual({ version: 1, reason: 'preço' })
    expect(ids(store, 'won')).toEqual(['a'])
    expect(ids(store, 'lost')).toEqual(['b'])
  })

  it('tells a drop that changes nothing', async () => {
    const { store } = await opened()
    expect(store.isNoop('a', 'new', 0)).toBe(true)
    expect(store.isNoop('a', 'new', 1)).toBe(false)
    expect(store.isNoop('b', 'new', 1)).toBe(true)
    expect(store.isNoop('a', 'deal', 0)).toBe(false)
  })
})

describe('bulk moves and new cards', () => {
  it('moves the selected cards to the end of a stage, all or none', async () => {
    const { store, hub } = await opened({
      [`POST ${base}/cards/bulk-move`]: (req) => {
        const ids = (req.body as { card_ids: string[] }).card_ids
        return json({ data: ids.map((id, i) => card(id, 'won', 5000 + i, { version: 2, value_cents: id === 'b' ? 25000 : 10000 })) })
      },
    })
    await store.bulkMove(['a', 'b'], 'won')
    expect(hub.calls(`POST ${base}/cards/bulk-move`)[0]?.body).toEqual({ card_ids: ['a', 'b'], stage_id: 'won' })
    expect(ids(store, 'new')).toEqual([])
    expect(ids(store, 'won')).toEqual(['a', 'b'])
    expect(totals(store, 'won')).toEqual({ count: 2, value: 35000 })
  })

  it('shows a created card once, even when its event comes too', async () => {
    const { store, rt } = await opened({ [`POST ${base}/cards`]: () => json(card('n', 'new', 3000), 201) })
    await store.createCard({ title: 'Novo' })
    rt.emit('card.created', { card: card('n', 'new', 3000) })
    expect(ids(store, 'new')).toEqual(['a', 'b', 'n'])
    expect(totals(store, 'new').count).toBe(3)
  })
})

describe('paging', () => {
  it('appends the next page of a column, skipping cards the page knows moved away', async () => {
    const { store, rt, hub } = await opened(
      {
        [`GET ${base}/cards`]: (req) =>
          json(
            req.query.get('stage_id') === 'new'
              ? { data: [card('m', 'new', 3000), card('n', 'new', 4000)], pagination: { has_more: false }, totals: {}, seq: 20 }
              : cardPage(defaultCards(), { seq: 11, more: { new: 'cur-1' } }),
          ),
      },
      undefined,
    )
    rt.emit('card.moved', { card: card('m', 'deal', 5000, { version: 2 }), from_stage_id: 'new' })
    await store.loadMore('new')
    expect(hub.calls(`GET ${base}/cards`).at(-1)?.query.get('cursor')).toBe('cur-1')
    expect(ids(store, 'new')).toEqual(['a', 'b', 'n'])
    expect(store.model.columns.new?.hasMore).toBe(false)
  })
})
