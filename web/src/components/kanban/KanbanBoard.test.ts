import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api } from '@/api/client'
import { createAppI18n } from '@/i18n'
import type { RealtimeClient } from '@/lib/realtime'
import { setRealtimeFactory } from '@/stores/realtime'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub, type HubRoutes } from '@/testing/fakeHub'
import { ACCOUNT, BOARD, boardAnswer, card, cardPage, fakeRealtime } from '@/testing/kanbanFixtures'
import KanbanBoard, { type BoardLocation } from './KanbanBoard.vue'

const base = `/api/v1/accounts/${ACCOUNT}/boards/${BOARD}`

function setup(routes: HubRoutes = {}, query: Record<string, string> = {}, locale: 'en' | 'pt-BR' = 'en') {
  const hub = fakeHub({
    [`GET /api/v1/accounts/${ACCOUNT}/boards`]: () => json({ data: [boardAnswer()], pagination: {}, seq: 10 }),
    [`GET /api/v1/accounts/${ACCOUNT}/kanban/members`]: () => json({ data: [{ id: 'u1', name: 'Ana Souza' }], pagination: {} }),
    [`GET ${base}`]: () => json(boardAnswer(12)),
    [`GET ${base}/cards`]: () =>
      json(cardPage([card('a', 'new', 1024, { value_cents: 150000, assignee_ids: ['u1'] }), card('b', 'new', 2048), card('c', 'deal', 1024)], { seq: 11 })),
    ...routes,
  })
  api.configure({ base: '/', fetch: hub.fetch })
  setActivePinia(createPinia())
  const rt = fakeRealtime()
  setRealtimeFactory(
    () =>
      ({
        state: 'live',
        onState: () => () => {},
        subscribe: rt.client.subscribe,
        reconnectNow: vi.fn(),
        stop: vi.fn(),
      }) as unknown as RealtimeClient,
  )
  let current: Record<string, string> = { board: BOARD, ...query }
  const writes: Record<string, string>[] = []
  const location: BoardLocation = {
    read: () => ({ ...current }),
    write: (q) => {
      current = { ...q }
      writes.push(q)
    },
  }
  const wrapper = mount(KanbanBoard, {
    props: { accountId: ACCOUNT, userId: 'u1', canConfigure: true, canOpenConversation: true, location },
    global: { plugins: [createAppI18n(locale)] },
    attachTo: document.body,
  })
  mounted.push(wrapper)
  return { hub, rt, wrapper, writes, location: () => current }
}

const mounted: { unmount(): void }[] = []
afterEach(() => {
  mounted.splice(0).forEach((w) => w.unmount())
  setRealtimeFactory(null)
  vi.useRealTimers()
})

const column = (w: ReturnType<typeof mount>, stage: string) => w.find(`[data-testid="kanban-column"][data-stage-id="${stage}"]`)
const cardIds = (w: ReturnType<typeof mount>, stage: string) =>
  column(w, stage)
    .findAll('[data-testid="kanban-card"]')
    .map((c) => c.attributes('data-card-id'))

describe('the board', () => {
  it('shows skeletons first, then the columns with count · value · weighted value in BRL', async () => {
    const { wrapper } = setup({}, {}, 'pt-BR')
    expect(wrapper.find('[data-testid="kanban-loading"]').exists()).toBe(true)
    await flushPromises()
    expect(wrapper.find('[data-testid="kanban-loading"]').exists()).toBe(false)
    expect(cardIds(wrapper, 'new')).toEqual(['a', 'b'])
    const header = column(wrapper, 'new')
    expect(header.find('[data-testid="kanban-column-count"]').text()).toBe('2')
    expect(header.find('[data-testid="kanban-column-value"]').text().replace(/\u00a0/g, ' ')).toBe('R$ 1.600,00')
    expect(header.find('[data-testid="kanban-column-weighted"]').text().replace(/\u00a0/g, ' ')).toBe('R$ 160,00 ponderado')
    expect(column(wrapper, 'new').find('[data-testid="kanban-card-value"]').text().replace(/\u00a0/g, ' ')).toBe('R$ 1.500,00')
  })

  it('tells an empty board from an empty filtered set, and both from an error', async () => {
    const empty = setup({ [`GET ${base}/cards`]: () => json(cardPage([])) })
    await flushPromises()
    expect(empty.wrapper.find('[data-testid="kanban-empty"]').attributes('data-filtered')).toBe('false')

    const filtered = setup({ [`GET ${base}/cards`]: () => json(cardPage([])) }, { label: 'vip' })
    await flushPromises()
    expect(filtered.wrapper.find('[data-testid="kanban-empty"]').attributes('data-filtered')).toBe('true')

    const broken = setup({ [`GET ${base}`]: () => envelope(500, 'INTERNAL') })
    await flushPromises()
    expect(broken.wrapper.find('[data-testid="kanban-error"]').exists()).toBe(true)
    expect(broken.wrapper.find('[data-testid="kanban-empty"]').exists()).toBe(false)
  })

  it('reads the filters from the URL and writes them back when they change', async () => {
    vi.useFakeTimers()
    const { wrapper, hub, writes, location } = setup({}, { assignee: 'me', card: 'zzz' })
    await vi.advanceTimersByTimeAsync(10)
    expect(hub.calls(`GET ${base}/cards`)[0]?.query.get('assignee')).toBe('me')
    await wrapper.find('[data-testid="kanban-filter-q"]').setValue('Maria')
    await vi.advanceTimersByTimeAsync(400)
    expect(writes.at(-1)).toMatchObject({ assignee: 'me', q: 'Maria', board: BOARD })
    expect(location().q).toBe('Maria')
    expect(hub.calls(`GET ${base}/cards`).at(-1)?.query.get('q')).toBe('Maria')
  })

  it('moves a card with the keyboard, announcing each step', async () => {
    const { wrapper, hub } = setup({
      [`POST ${base}/cards/a/move`]: () => json(card('a', 'deal', 512, { version: 2, value_cents: 150000 })),
    })
    await flushPromises()
    const el = column(wrapper, 'new').find('[data-card-id="a"]')
    ;(el.element as HTMLElement).focus()
    await el.trigger('keydown', { key: ' ' })
    const announcer = () => wrapper.find('[data-testid="kanban-announcer"]').text()
    await flushPromises()
    expect(announcer()).toContain('Picked up Deal a')
    expect(wrapper.find('[data-testid="kanban-board"]').attributes('data-dragging')).toBe('keyboard')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))
    await flushPromises()
    expect(announcer()).toContain('Negociação, position 1 of 2')
    expect(column(wrapper, 'deal').find('[data-testid="kanban-drop-indicator"]').exists()).toBe(true)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }))
    await flushPromises()
    expect(hub.calls(`POST ${base}/cards/a/move`)[0]?.body).toEqual({ stage_id: 'deal', version: 1, before_id: 'c' })
    expect(cardIds(wrapper, 'deal')).toEqual(['a', 'c'])
    expect(announcer()).toContain('Deal a dropped in Negociação')
    expect(document.activeElement?.getAttribute('data-card-id')).toBe('a')
  })

  it('asks for a reason before a card goes to a lost stage', async () => {
    const { wrapper, hub } = setup({
      [`POST ${base}/cards/c/move`]: () => json(card('c', 'lost', 1024, { version: 2, closed_reason: 'preço' })),
    })
    await flushPromises()
    const el = column(wrapper, 'deal').find('[data-card-id="c"]')
    await el.trigger('keydown', { key: 'Enter' })
    for (let i = 0; i < 2; i++) window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))
    window.dispatchEvent(new KeyboardEvent('keydown', { key: ' ' }))
    await flushPromises()
    expect(hub.calls(`POST ${base}/cards/c/move`)).toHaveLength(0)
    const dialog = document.querySelector('[data-testid="kanban-lost-dialog"]')
    expect(dialog).not.toBeNull()
    const input = document.querySelector<HTMLInputElement>('[data-testid="kanban-lost-reason"]')!
    input.value = 'preço'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    document.querySelector<HTMLButtonElement>('[data-testid="kanban-lost-submit"]')!.click()
    await flushPromises()
    expect(hub.calls(`POST ${base}/cards/c/move`)[0]?.body).toEqual({ stage_id: 'lost', version: 1, reason: 'preço' })
  })

  it('opens the drawer from the URL and shows the member names', async () => {
    const { wrapper } = setup({ [`GET ${base}/cards/a/notes`]: () => json({ data: [], pagination: {} }) }, { card: 'a' })
    await flushPromises()
    const drawer = wrapper.find('[data-testid="kanban-drawer"]')
    expect(drawer.attributes('data-card-id')).toBe('a')
    expect(drawer.text()).toContain('Ana Souza')
  })
})

describe('the CSV export', () => {
  it('spins while the file downloads, then says where it went; a failure says why', async () => {
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
    let release: (r: Response) => void = () => undefined
    const { wrapper } = setup({
      [`GET ${base}/export.csv`]: () => new Promise<Response>((resolve) => (release = resolve)),
    })
    await flushPromises()
    await wrapper.get('[data-testid="kanban-export"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="kanban-export"]').attributes('aria-busy')).toBe('true')
    release(new Response('title\nA\n', { headers: { 'Content-Type': 'text/csv' } }))
    await flushPromises()
    expect(wrapper.get('[data-testid="kanban-export"]').attributes('aria-busy')).toBeUndefined()
    const notice = wrapper.get('[data-testid="kanban-notice"]')
    expect(notice.attributes('data-kind')).toBe('info')
    expect(notice.text()).toMatch(/^Exported: .+\.csv is in your downloads\./)

    const broken = setup({ [`GET ${base}/export.csv`]: () => envelope(500, 'INTERNAL') })
    await flushPromises()
    await broken.wrapper.get('[data-testid="kanban-export"]').trigger('click')
    await flushPromises()
    expect(broken.wrapper.get('[data-testid="kanban-notice"]').attributes('data-kind')).toBe('error')
  })
})
