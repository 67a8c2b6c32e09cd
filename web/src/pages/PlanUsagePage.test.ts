import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { USAGE_METRICS } from '@/api/usage'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { me, membership, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

function series(values: number[]) {
  return values.map((value, i) => ({ day: `2026-03-${String(i + 1).padStart(2, '0')}`, value }))
}

async function openPlan(role = 'admin') {
  const mounted = await mountApp('/accounts/A/plan', {
    ...sessionRoutes(me(user(), [membership('A', role)])),
    'GET /api/v1/accounts/A/entitlements': () =>
      json({
        plan: { id: 'default', name: 'Default' },
        overrides: {},
        limits: [
          { name: 'max_inboxes', limit: 10, used: 9 },
          { name: 'max_provider_instances', limit: 2, used: 2 },
          { name: 'max_agents', limit: null, used: 3 },
        ],
      }),
    'GET /api/v1/accounts/A/usage': () =>
      json({
        from: '2026-03-01',
        to: '2026-03-04',
        metrics: USAGE_METRICS.map((metric) => ({ metric, series: series(metric === 'messages_in' ? [3, 0, 7, 5] : [1, 2, 1, 0]) })),
      }),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('PlanUsagePage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('shows each limit as a bar of its use, unlimited ones included', async () => {
    const { wrapper } = await openPlan()
    expect(wrapper.get('[data-testid="plan-name"]').text()).toBe('Default')
    const bars = wrapper.findAll('[data-testid="limit-bar"]')
    expect(bars.map((b) => b.attributes('data-limit-name'))).toEqual(['max_inboxes', 'max_provider_instances', 'max_agents'])
    expect(bars[0]!.get('[data-testid="limit-bar-text"]').text()).toBe('9 of 10')
    expect(bars[0]!.findAll('rect').at(-1)!.attributes('width')).toBe('90.00')
    expect(bars[0]!.findAll('rect').at(-1)!.classes()).toContain('fill-n-amber-9')
    expect(bars[1]!.findAll('rect').at(-1)!.classes()).toContain('fill-n-ruby-9')
    expect(bars[2]!.attributes('data-limit')).toBe('unlimited')
    expect(bars[2]!.get('[data-testid="limit-bar-text"]').text()).toBe('3 · unlimited')
  })

  it('draws the chosen metric per day, scaled to a round maximum', async () => {
    const { wrapper } = await openPlan()
    const chart = () => wrapper.get('[data-testid="usage-chart"]')
    expect((wrapper.get('[data-testid="usage-metric"]').element as HTMLSelectElement).value).toBe('api_requests')
    expect(chart().attributes('data-max')).toBe('2')
    expect(wrapper.get('[data-testid="usage-total"]').text()).toBe('4')

    await wrapper.get('[data-testid="usage-metric"]').setValue('messages_in')
    await flushPromises()
    expect(chart().attributes('data-max')).toBe('8')
    expect(wrapper.get('[data-testid="usage-total"]').text()).toBe('15')
    const bars = chart().findAll('[data-testid="usage-bar"]')
    expect(bars.map((b) => b.attributes('data-value'))).toEqual(['3', '0', '7', '5'])
    const heights = bars.map((b) => Number(b.attributes('height')))
    expect(heights[1]).toBe(0)
    expect(heights[2]! / heights[0]!).toBeCloseTo(7 / 3)
  })

  it('shows an agent the limits but not the usage', async () => {
    const { wrapper, hub } = await openPlan('agent')
    expect(wrapper.findAll('[data-testid="limit-bar"]')).toHaveLength(3)
    expect(wrapper.find('[data-testid="usage-chart"]').exists()).toBe(false)
    expect(hub.calls('GET /api/v1/accounts/A/usage')).toHaveLength(0)
  })
})
