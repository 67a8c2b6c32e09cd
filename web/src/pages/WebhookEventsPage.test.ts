import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WebhookEvent } from '@/api/webhookEvents'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

function event(id: string, status: string, overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    id,
    source: 'chatwoot',
    source_id: 'l1',
    event: 'message_created',
    delivery_id: `d-${id}`,
    status,
    attempts: 1,
    last_error: '',
    received_at: '2026-03-01T10:00:00Z',
    updated_at: '2026-03-01T10:00:01Z',
    payload: { event: 'message_created', id: 42, content: 'Olá' },
    ...overrides,
  }
}

async function openEvents(permissions?: string[]) {
  const mounted = await mountApp('/accounts/A/webhook-events', {
    ...sessionRoutes(me(user(), [membership('A', 'admin', permissions ? { permissions } : {})])),
    'GET /api/v1/accounts/A/webhook-events': (req) => {
      const status = req.query.get('status')
      const rows = [event('e1', 'failed', { last_error: 'chatwoot answered 500', attempts: 5 }), event('e2', 'processing')]
      return json({ data: status ? rows.filter((r) => r.status === status) : rows, pagination: { has_more: false } })
    },
    'POST /api/v1/accounts/A/webhook-events/e1/replay': () => json({ id: 'e1', status: 'received' }, 202),
    'POST /api/v1/accounts/A/webhook-events/e2/replay': () =>
      envelope(409, 'CONFLICT', 'the event is processing and will be processed again without a replay; replay it once it is done, ignored or dead'),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('WebhookEventsPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('filters by status', async () => {
    const { wrapper, hub } = await openEvents()
    expect(wrapper.findAll('[data-testid="webhook-event-row"]')).toHaveLength(2)
    await wrapper.get('[data-testid="webhook-events-status"]').setValue('failed')
    await flushPromises()
    expect(hub.calls('GET /api/v1/accounts/A/webhook-events').at(-1)?.query.get('status')).toBe('failed')
    expect(wrapper.findAll('[data-testid="webhook-event-row"]').map((r) => r.attributes('data-event-id'))).toEqual(['e1'])
  })

  it('shows the payload as indented JSON', async () => {
    const { wrapper } = await openEvents()
    await wrapper.get('[data-event-id="e1"] [data-testid="webhook-event-toggle"]').trigger('click')
    expect(wrapper.get('[data-testid="webhook-event-payload"]').text()).toBe(JSON.stringify({ event: 'message_created', id: 42, content: 'Olá' }, null, 2))
  })

  it('replays an event, and shows why the hub refused a replay', async () => {
    const { wrapper, hub } = await openEvents()
    await wrapper.get('[data-event-id="e1"] [data-testid="webhook-event-replay"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/webhook-events/e1/replay')).toHaveLength(1)
    expect(wrapper.get('[data-event-id="e1"]').attributes('data-status')).toBe('received')

    await wrapper.get('[data-event-id="e2"] [data-testid="webhook-event-replay"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="webhook-event-replay-error"]').text()).toContain('replay it once it is done, ignored or dead')
    expect(wrapper.get('[data-event-id="e2"]').attributes('data-status')).toBe('processing')
  })

  it('offers no replay without webhooks:write', async () => {
    const { wrapper } = await openEvents(['account:read', 'webhooks:read'])
    expect(wrapper.findAll('[data-testid="webhook-event-row"]')).toHaveLength(2)
    expect(wrapper.find('[data-testid="webhook-event-replay"]').exists()).toBe(false)
  })
})
