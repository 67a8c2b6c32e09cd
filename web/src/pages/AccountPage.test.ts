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
  let features: Record<string, boolean> = { kanban: true, internal_chat: true, gateway: false, hub_admin: true }
  let joined = !superAdmin
  const who = () => me(user({ super_admin: superAdmin }), joined ? [membership('A', 'admin')] : [])
  const mounted = await mountApp('/accounts/A', {
    ...sessionRoutes(who()),
    'GET /api/v1/me': () => json(who()),
    'POST /api/v1/accounts/A/join': () => {
      joined = true
      return json({ id: 'u1', email: 'root@example.com', name: 'Root', role: 'admin', status: 'active' }, 201)
    },
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
    const gateway = wrapper.get('[data-testid="account-feature-gateway"]')
    expect((gateway.element as HTMLInputElement).checked).toBe(false)
    await gateway.setValue(true)
    await flushPromises()
    expect(hub.calls('PUT /api/v1/accounts/A/features')[0]?.body).toEqual({ gateway: true })
    expect((wrapper.get('[data-testid="account-feature-gateway"]').element as HTMLInputElement).checked).toBe(true)
  })

  it('offers no features that do not exist', async () => {
    const { wrapper } = await openAccount(true)
    expect(wrapper.find('[data-testid="account-feature-automations"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="account-feature-analytics"]').exists()).toBe(false)
  })

  it('lets a super admin who is not a member join in one click', async () => {
    const { wrapper, hub } = await openAccount(true)
    await wrapper.get('[data-testid="join-account-submit"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/accounts/A/join')).toHaveLength(1)
    expect(wrapper.find('[data-testid="join-account"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="account-details"]').text()).toContain('Admin')
  })

  it('shows neither card to an account admin', async () => {
    const { wrapper } = await openAccount(false)
    expect(wrapper.find('[data-testid="account-details"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="account-plan"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="account-features"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="join-account"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="account-link-providers"]').exists()).toBe(true)
  })
})
