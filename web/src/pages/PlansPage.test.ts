import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Plan } from '@/api/plans'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

const builtIn: Plan = {
  id: 'default',
  name: 'Default',
  built_in: true,
  limits: { max_inboxes: 10, max_provider_instances: 10, max_agents: 50, max_boards: 20, max_messages_per_month: 100000 },
  features: { kanban: true, internal_chat: true, gateway: true, hub_admin: true },
}
const pro: Plan = { id: 'pro', name: 'Pro', built_in: false, limits: { max_inboxes: 25 }, features: { kanban: true } }

async function openPlans() {
  const plans = [builtIn, pro]
  const mounted = await mountApp('/plans', {
    ...sessionRoutes(me(user({ super_admin: true }), [])),
    'GET /api/v1/plans': () => json({ data: plans }),
    'POST /api/v1/plans': (req) => {
      const body = req.body as { name: string; limits: Record<string, number>; features: Record<string, boolean> }
      const created: Plan = { id: 'p3', name: body.name, built_in: false, limits: body.limits, features: body.features }
      plans.push(created)
      return json(created, 201)
    },
    'PATCH /api/v1/plans/pro': (req) => {
      const body = req.body as { limits: Record<string, number | null> }
      const limits = { ...pro.limits }
      for (const [k, v] of Object.entries(body.limits)) {
        if (v === null) delete limits[k]
        else limits[k] = v
      }
      return json({ ...pro, limits })
    },
    'DELETE /api/v1/plans/pro': () => envelope(409, 'CONFLICT', 'the plan is used by 2 account(s); move them to another plan first'),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

describe('PlansPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('keeps the built-in plan read-only', async () => {
    const { wrapper } = await openPlans()
    const rows = wrapper.findAll('[data-testid="plan-row"]')
    expect(rows.map((r) => r.attributes('data-plan-id'))).toEqual(['default', 'pro'])
    expect(rows[0]!.find('[data-testid="plan-edit"]').exists()).toBe(false)
    expect(rows[0]!.find('[data-testid="plan-delete"]').exists()).toBe(false)
    expect(rows[0]!.find('[data-testid="plan-built-in"]').exists()).toBe(true)
    expect(rows[1]!.get('[data-testid="plan-limit-max_agents"]').text()).toBe('Unlimited')
  })

  it('asks before creating a plan with no feature', async () => {
    const { wrapper, hub } = await openPlans()
    await wrapper.get('[data-testid="plan-name"]').setValue('Vazio')
    await wrapper.get('[data-testid="plan-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/plans')).toHaveLength(0)
    await wrapper.get('[data-testid="plan-no-features-confirm"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/plans')).toHaveLength(1)
    expect(wrapper.find('[data-testid="plan-no-features"]').exists()).toBe(false)
  })

  it('creates a plan: empty limits are unlimited', async () => {
    const { wrapper, hub } = await openPlans()
    await wrapper.get('[data-testid="plan-name"]').setValue('Starter')
    await wrapper.get('[data-testid="plan-limit-max_inboxes"]').setValue('3')
    await wrapper.get('[data-testid="plan-limit-max_provider_instances"]').setValue('1')
    await wrapper.get('[data-testid="plan-feature-kanban"]').setValue(true)
    await wrapper.get('[data-testid="plan-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/plans')[0]?.body).toEqual({
      name: 'Starter',
      limits: { max_inboxes: 3, max_provider_instances: 1 },
      features: { kanban: true, internal_chat: false, gateway: false, hub_admin: false },
    })
    expect(wrapper.findAll('[data-testid="plan-row"]')).toHaveLength(3)
    expect((wrapper.get('[data-testid="plan-name"]').element as HTMLInputElement).value).toBe('')
  })

  it('edits a plan, sending null for a limit that was cleared', async () => {
    const { wrapper, hub } = await openPlans()
    await wrapper.get('[data-plan-id="pro"] [data-testid="plan-edit"]').trigger('click')
    await wrapper.get('[data-testid="plan-edit-limit-max_inboxes"]').setValue('')
    await wrapper.get('[data-testid="plan-edit-limit-max_agents"]').setValue('5')
    await wrapper.get('[data-testid="plan-edit-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('PATCH /api/v1/plans/pro')[0]?.body).toMatchObject({ limits: { max_inboxes: null, max_agents: 5 } })
    expect(hub.calls('PATCH /api/v1/plans/pro')[0]?.body).not.toHaveProperty('name')
    expect(wrapper.find('[data-testid="plan-edit-dialog"]').exists()).toBe(false)
    expect(wrapper.get('[data-plan-id="pro"] [data-testid="plan-limit-max_inboxes"]').text()).toBe('Unlimited')
  })

  it('explains why a plan in use cannot be deleted', async () => {
    const { wrapper } = await openPlans()
    await wrapper.get('[data-plan-id="pro"] [data-testid="plan-delete"]').trigger('click')
    await wrapper.get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('the plan is used by 2 account(s)')
  })
})
