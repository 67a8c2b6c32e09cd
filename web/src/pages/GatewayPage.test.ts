import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DeadLetter } from '@/api/gateway'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { me, membership, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

const letter: DeadLetter = {
  id: 'w1',
  instance_id: 'n1',
  lane: 'in:n1:5511987650001',
  kind: 'inbound',
  attempts: 12,
  last_error: 'chatwoot: outbound: HTTP 422',
  payload: { id: 'ABC' },
  created_at: '2026-03-01T00:00:00Z',
  died_at: '2026-03-01T00:05:00Z',
}

async function openGateway(role: string) {
  let dead = [letter]
  const mounted = await mountApp('/accounts/A/gateway', {
    ...sessionRoutes(me(user(), [membership('A', role)])),
    'GET /api/v1/accounts/A/gateway/numbers': () =>
      json({
        data: [{ instance_id: 'n1', messages_in_today: 3, messages_out_today: 2, messages_in_month: 30, messages_out_month: 20,
          failed_month: 1, queued: 0, dead_letters: dead.length, last_error: 'chatwoot: outbound: HTTP 422' }],
      }),
    'GET /api/v1/accounts/A/gateway/dead-letters': () => json({ data: dead, pagination: { has_more: false } }),
    'POST /api/v1/accounts/A/gateway/dead-letters/w1/replay': () => {
      dead = []
      return json({ replayed: 1 })
    },
    'POST /api/v1/accounts/A/gateway/dead-letters/replay': () => {
      dead = []
      return json({ replayed: 1 })
    },
    'GET /api/v1/accounts/A/provider-instances': () =>
      json({ data: [{ id: 'n1', name: 'Vendas', phone_number: '+5511987650001' }], pagination: { has_more: false } }),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('GatewayPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('shows the counters and replays a dead letter', async () => {
    const { wrapper, hub } = await openGateway('admin')
    await flushPromises()
    expect(wrapper.get('[data-testid="gateway-number-row"]').text()).toContain('↓ 3 · ↑ 2')
    expect(wrapper.findAll('[data-testid="gateway-dead-row"]')).toHaveLength(1)
    await wrapper.get('[data-testid="gateway-replay-w1"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/gateway/dead-letters/w1/replay')).toHaveLength(1)
    expect(wrapper.findAll('[data-testid="gateway-dead-row"]')).toHaveLength(0)
  })

  it('is not offered to agents', async () => {
    const { wrapper, hub } = await openGateway('agent')
    await flushPromises()
    expect(wrapper.find('[data-testid="gateway-dead-row"]').exists()).toBe(false)
    expect(hub.calls('GET /api/v1/accounts/A/gateway/dead-letters')).toHaveLength(0)
  })

  it('names each number, shows one number\'s dead letters and replays them', async () => {
    const { wrapper, hub } = await openGateway('admin')
    await flushPromises()
    expect(wrapper.get('[data-testid="gateway-number-row"]').text()).toContain('Vendas · +5511987650001')
    await wrapper.get('[data-testid="gateway-dead-of-n1"]').trigger('click')
    await flushPromises()
    const lists = hub.calls('GET /api/v1/accounts/A/gateway/dead-letters')
    expect(lists.at(-1)!.query.get('instance_id')).toBe('n1')
    await wrapper.get('[data-testid="gateway-replay-all"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/gateway/dead-letters/replay')[0]!.body).toEqual({ instance_id: 'n1' })
    expect(wrapper.findAll('[data-testid="gateway-dead-row"]')).toHaveLength(0)
  })
})
