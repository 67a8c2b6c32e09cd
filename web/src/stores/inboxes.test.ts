import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Inbox, InboxSync } from '@/api/inboxes'
import { json } from '@/testing/fakeFetch'
import { envelope, fakeHub } from '@/testing/fakeHub'
import { setupPlugins } from '@/testing/mountApp'
import { SYNC_POLL_MS, useInboxesStore } from './inboxes'

function inbox(id: string, name: string, overrides: Partial<Inbox> = {}): Inbox {
  return {
    id,
    chatwoot_inbox_id: Number(id.replace(/\D/g, '')) || 1,
    name,
    channel_type: 'Channel::Api',
    webhook_url: '',
    avatar_url: '',
    managed: false,
    state: 'active',
    provider_instance_id: null,
    first_seen_at: '2026-03-01T00:00:00Z',
    last_seen_at: '2026-03-01T00:00:00Z',
    removed_at: null,
    ...overrides,
  }
}

function syncState(status: string, counts: Partial<InboxSync> = {}): InboxSync {
  return { id: 's1', status, total: 0, created: 0, updated: 0, removed: 0, error: '', ...counts }
}

/** A hub whose sync answers the given states in turn (the last one repeats). */
function hubWithSync(states: InboxSync[]) {
  let rows: Inbox[] = []
  let polls = 0
  const hub = fakeHub({
    'GET /api/v1/accounts/A/inboxes': () => json({ data: rows, pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/inboxes/sync': () => json({ sync_id: 's1' }, 202),
    'GET /api/v1/accounts/A/inboxes/syncs/s1': () => {
      const state = states[Math.min(polls++, states.length - 1)]!
      if (state.status === 'done') rows = [inbox('i1', 'Site'), inbox('i2', 'Suporte')]
      return json(state)
    },
  })
  setupPlugins(hub.fetch)
  return hub
}

describe('inboxes store: sync', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
  afterEach(() => vi.useRealTimers())

  it('polls the sync every second with live progress, then reloads the list and stops', async () => {
    const hub = hubWithSync([syncState('queued'), syncState('running', { total: 2, created: 1 }), syncState('done', { total: 2, created: 2 })])
    const store = useInboxesStore()
    await store.load('A')
    expect(store.inboxes).toEqual([])

    await store.startSync()
    expect(hub.calls('POST /api/v1/accounts/A/inboxes/sync')).toHaveLength(1)
    expect(store.syncing).toBe(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(store.sync?.status).toBe('queued')

    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS)
    expect(store.sync).toMatchObject({ status: 'running', total: 2, created: 1 })
    expect(store.syncing).toBe(true)

    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS)
    expect(store.sync).toMatchObject({ status: 'done', created: 2 })
    expect(store.syncing).toBe(false)
    expect(store.inboxes.map((i) => i.name)).toEqual(['Site', 'Suporte'])
    expect(hub.calls('GET /api/v1/accounts/A/inboxes')).toHaveLength(2)

    const polls = hub.calls('GET /api/v1/accounts/A/inboxes/syncs/s1').length
    expect(polls).toBe(3)
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 10)
    expect(hub.calls('GET /api/v1/accounts/A/inboxes/syncs/s1')).toHaveLength(polls)
  })

  it('stops at a failed sync, shows its error and reloads what is there', async () => {
    const hub = hubWithSync([syncState('running'), syncState('failed', { error: 'Chatwoot refused the token' })])
    const store = useInboxesStore()
    await store.load('A')
    await store.startSync()
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 5)
    expect(store.sync).toMatchObject({ status: 'failed', error: 'Chatwoot refused the token' })
    expect(store.syncing).toBe(false)
    expect(hub.calls('GET /api/v1/accounts/A/inboxes/syncs/s1')).toHaveLength(2)
    expect(hub.calls('GET /api/v1/accounts/A/inboxes')).toHaveLength(2)
  })

  it('stops polling when the page leaves', async () => {
    const hub = hubWithSync([syncState('running')])
    const store = useInboxesStore()
    await store.load('A')
    await store.startSync()
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS)
    store.stopPolling()
    const polls = hub.calls('GET /api/v1/accounts/A/inboxes/syncs/s1').length
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 10)
    expect(hub.calls('GET /api/v1/accounts/A/inboxes/syncs/s1')).toHaveLength(polls)
  })

  it('keeps polling through a network blip, and gives up on a refusal', async () => {
    let answers: (() => Response)[] = [
      () => envelope(503, 'UNAVAILABLE', 'busy'),
      () => json(syncState('running')),
      () => envelope(404, 'NOT_FOUND', 'no such sync'),
    ]
    const hub = fakeHub({
      'GET /api/v1/accounts/A/inboxes': () => json({ data: [], pagination: { has_more: false } }),
      'POST /api/v1/accounts/A/inboxes/sync': () => json({ sync_id: 's1' }, 202),
      'GET /api/v1/accounts/A/inboxes/syncs/s1': () => {
        const next = answers[0]!
        if (answers.length > 1) answers = answers.slice(1)
        return next()
      },
    })
    setupPlugins(hub.fetch)
    const store = useInboxesStore()
    await store.load('A')
    await store.startSync()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.syncError?.code).toBe('UNAVAILABLE')
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS)
    expect(store.syncError).toBeNull()
    expect(store.sync?.status).toBe('running')
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS)
    expect(store.syncError?.code).toBe('NOT_FOUND')
    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS * 5)
    expect(hub.calls('GET /api/v1/accounts/A/inboxes/syncs/s1')).toHaveLength(3)
  })
})
