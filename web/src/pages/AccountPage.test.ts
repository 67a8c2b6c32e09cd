import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { me, membership, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

const account = { id: 'A', name: 'Acme', status: 'active', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }
const entitlements = (planId: string, planName: string, overrides: Record<string, number> = {}) => ({
  plan: { id: planId, name: planName },
  overrides,
  limits: [{ name: 'max_inboxes', limit: overrides.max_inboxes ?? 10, used: 1 }],
})

async function openAccount(superAdmin: boolean) {
  let features: Record<string, boolean> = { kanban: true, internal_chat: true, gateway: true, automations: false, analytics: false, hub_admin: true }
  const mounted = await mountApp('/accounts/A', {
    ...sessionRoutes(me(user({ super_admin: superAdmin }), superAdmin ? [] : [membership('A', 'admin')])),
    'GET /api/v1/accounts/A': () => json(account),
    'GET /api/v1/plans': () =>
      json({ data: [{ id: 'default', name: 'Default', built_in: true, limits: {}, features: {} }, { id: 'pro', name: 'Pro', built_in: false, limits: {}, features: {} }] }),
    'GET /api/v1/accounts/A/entitlements': () => json(entitlements('default', 'Default')),
    'PUT /api/v1/accounts/A/plan': (req) => {
      const body = req.body as { plan_id: string; overrides: Record<string, number> }
      return json(entitlements(body.plan_id, 'Pro', body.overrides))
    },
    'GET /api/v1/features': () => json({ account_id: 'A', features }),
    'PUT /api/v1/accounts/A/features': (req) => {
      features = { ...features, ...(req.body as Record<string, boolean>) }
      return json({ account_id: 'A', features })
    },
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('AccountPage for super admins', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('assigns a plan with limit overrides', async () => {
    const { wrapper, hub } = await openAccount(true)
    expect((wrapper.get('[data-testid="account-plan-select"]').element as HTMLSelectElement).value).toBe('default')
    await wrapper.get('[data-testid="account-plan-select"]').setValue('pro')
    await wrapper.get('[data-testid="account-plan-override-max_inboxes"]').setValue('40')
    await wrapper.get('[data-testid="account-plan"] form').trigger('submit')
    await flushPromises()
    expect(hub.calls('PUT /api/v1/accounts/A/plan')[0]?.body).toEqual({ plan_id: 'pro', overrides: { max_inboxes: 40 } })
    expect(wrapper.find('[data-testid="account-plan-saved"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="account-plan"] [data-testid="limit-bar"]').attributes('data-limit')).toBe('40')
  })

  it('turns a feature on for the account', async () => {
    const { wrapper, hub } = await openAccount(true)
    const automations = wrapper.get('[data-testid="account-feature-automations"]')
    expect((automations.element as HTMLInputElement).checked).toBe(false)
    await automations.setValue(true)
    await flushPromises()
    expect(hub.calls('PUT /api/v1/accounts/A/features')[0]?.body).toEqual({ automations: true })
    expect((wrapper.get('[data-testid="account-feature-automations"]').element as HTMLInputElement).checked).toBe(true)
  })

  it('shows neither card to an account admin', async () => {
    const { wrapper } = await openAccount(false)
    expect(wrapper.find('[data-testid="account-details"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="account-plan"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="account-features"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="account-link-providers"]').exists()).toBe(true)
  })
})
