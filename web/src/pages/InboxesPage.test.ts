import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Inbox } from '@/api/inboxes'
import { useAuthStore } from '@/stores/auth'
import { SYNC_POLL_MS } from '@/stores/inboxes'
import { json } from '@/testing/fakeFetch'
import { me, membership, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

function inbox(id: string, name: string, overrides: Partial<Inbox> = {}): Inbox {
  return {
    id,
    chatwoot_inbox_id: 1,
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

describe('InboxesPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  })
  afterEach(() => {
    vi.useRealTimers()
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('greys removed inboxes, and shows a sync live until it is done', async () => {
    let rows = [inbox('i1', 'Old site', { removed_at: '2026-03-02T00:00:00Z' })]
    let polls = 0
    const mounted = await mountApp('/accounts/A/inboxes', {
      ...sessionRoutes(me(user(), [membership('A', 'admin')])),
      'GET /api/v1/accounts/A/inboxes': (req) =>
        json({ data: req.query.get('removed') === 'false' ? rows.filter((r) => !r.removed_at) : rows, pagination: { has_more: false } }),
      'POST /api/v1/accounts/A/inboxes/sync': () => json({ sync_id: 's1' }, 202),
      'GET /api/v1/accounts/A/inboxes/syncs/s1': () => {
        polls++
        if (polls === 1) return json({ id: 's1', status: 'running', total: 2, created: 1, updated: 0, removed: 0, error: '' })
        rows = [...rows, inbox('i2', 'Suporte', { managed: true })]
        return json({ id: 's1', status: 'done', total: 2, created: 1, updated: 0, removed: 0, error: '' })
      },
    })
    unmount = () => mounted.wrapper.unmount()
    const { wrapper } = mounted

    const old = wrapper.get('[data-inbox-id="i1"]')
    expect(old.attributes('data-removed')).toBe('true')
    expect(old.classes()).toContain('opacity-50')

    await wrapper.get('[data-testid="inboxes-sync"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="inbox-sync-progress"]').attributes('data-status')).toBe('running')
    expect(wrapper.get('[data-testid="inbox-sync-created"]').text()).toBe('1 new')
    expect(wrapper.get('[data-testid="inboxes-sync"]').attributes('disabled')).toBeDefined()

    await vi.advanceTimersByTimeAsync(SYNC_POLL_MS)
    await flushPromises()
    expect(wrapper.get('[data-testid="inbox-sync-progress"]').attributes('data-status')).toBe('done')
    expect(wrapper.findAll('[data-testid="inbox-row"]').map((r) => r.attributes('data-inbox-id'))).toEqual(['i1', 'i2'])
    expect(wrapper.get('[data-inbox-id="i2"]').classes()).not.toContain('opacity-50')
    expect(wrapper.get('[data-testid="inboxes-sync"]').attributes('disabled')).toBeUndefined()

    await wrapper.get('[data-testid="inboxes-filter-removed"]').setValue('false')
    await flushPromises()
    expect(wrapper.findAll('[data-testid="inbox-row"]').map((r) => r.attributes('data-inbox-id'))).toEqual(['i2'])
  })

  it('offers no sync without inboxes:write', async () => {
    const mounted = await mountApp('/accounts/A/inboxes', {
      ...sessionRoutes(me(user(), [membership('A', 'agent')])),
      'GET /api/v1/accounts/A/inboxes': () => json({ data: [inbox('i1', 'Site')], pagination: { has_more: false } }),
    })
    unmount = () => mounted.wrapper.unmount()
    expect(mounted.wrapper.findAll('[data-testid="inbox-row"]')).toHaveLength(1)
    expect(mounted.wrapper.find('[data-testid="inboxes-sync"]').exists()).toBe(false)
  })
})
