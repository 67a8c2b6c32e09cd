import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { json } from '@/testing/fakeFetch'
import { me, membership, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'
import { useAuthStore } from '@/stores/auth'

const grant = (account: string) => json({ token: 'wpi_x', expires_at: '2999-01-01T00:00:00Z', scopes: ['account:read'], account_id: account }, 201)

describe('SignInHandoffPage', () => {
  let opener: { postMessage: ReturnType<typeof vi.fn>; closed: boolean }
  let unmount: (() => void) | undefined

  beforeEach(() => {
    opener = { postMessage: vi.fn(), closed: false }
    Object.defineProperty(window, 'opener', { value: opener, configurable: true, writable: true })
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
    Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true })
  })

  it('hands a token for the only account to the opener, on this origin only, with the role’s embed scopes', async () => {
    const who = me(user(), [membership('A', 'agent')])
    const { wrapper, hub } = await mountApp('/sign-in/handoff', { ...sessionRoutes(who), 'POST /api/v1/instance-tokens': () => grant('A') })
    unmount = () => wrapper.unmount()
    await flushPromises()
    const body = hub.calls('POST /api/v1/instance-tokens')[0]?.body as { account_id: string; scopes: string[]; ttl_minutes: number }
    expect(body.account_id).toBe('A')
    expect(body.ttl_minutes).toBe(30)
    expect(body.scopes).toContain('kanban:read')
    expect(body.scopes).not.toContain('hub:admin') // agents do not have it
    expect(opener.postMessage).toHaveBeenCalledWith(
      { type: 'whatpro:token', token: 'wpi_x', expires_at: '2999-01-01T00:00:00Z', account_id: 'A' },
      window.location.origin,
    )
    expect(wrapper.get('[data-testid="handoff-state"]').attributes('data-state')).toBe('done')
  })

  it('asks which account when the user has several', async () => {
    const who = me(user(), [membership('A', 'admin'), membership('B', 'agent')])
    const { wrapper, hub } = await mountApp('/sign-in/handoff', { ...sessionRoutes(who), 'POST /api/v1/instance-tokens': () => grant('B') })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(opener.postMessage).not.toHaveBeenCalled()
    await wrapper.get('[data-testid="handoff-account"]').setValue('B')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect((hub.calls('POST /api/v1/instance-tokens')[0]?.body as { account_id: string }).account_id).toBe('B')
    expect(opener.postMessage).toHaveBeenCalledTimes(1)
  })

  it('does nothing without an opener', async () => {
    Object.defineProperty(window, 'opener', { value: null, configurable: true, writable: true })
    const who = me(user(), [membership('A', 'agent')])
    const { wrapper, hub } = await mountApp('/sign-in/handoff', { ...sessionRoutes(who), 'POST /api/v1/instance-tokens': () => grant('A') })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(hub.calls('POST /api/v1/instance-tokens')).toHaveLength(0)
    expect(wrapper.get('[data-testid="handoff-state"]').attributes('data-state')).toBe('no-opener')
  })

  it('continues from the login page in popup mode', async () => {
    const who = me(user(), [membership('A', 'agent')])
    const { wrapper, router } = await mountApp('/login?popup=1', { ...sessionRoutes(who), 'POST /api/v1/instance-tokens': () => grant('A') })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('handoff')
    expect(opener.postMessage).toHaveBeenCalledTimes(1)
  })
})
