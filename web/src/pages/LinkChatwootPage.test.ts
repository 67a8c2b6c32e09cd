import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, tokenBody, user } from '@/testing/fakeHub'
import { anonymousRoutes, mountApp, sessionRoutes } from '@/testing/mountApp'
import { useAuthStore } from '@/stores/auth'

const who = me(user(), [membership('A', 'admin')])
const preview = {
  origin: 'https://chat.acme.test',
  chatwoot_user: { id: 2, name: 'Bruno Agente', email: 'bruno@acme.test' },
  accounts: [{ account_id: 'A', account_name: 'Acme', role: 'agent', chatwoot_account_id: 1 }],
  already_yours: false,
  expires_at: '2999-01-01T00:00:00Z',
}
const linked = () => json({ linked: true, origin: 'https://chat.acme.test', chatwoot_user_id: 2 })

describe('LinkChatwootPage', () => {
  let unmount: (() => void) | undefined
  beforeEach(() => sessionStorage.clear())
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('shows what the code would link and changes nothing on its own', async () => {
    const { wrapper, hub } = await mountApp('/link-chatwoot#code=wpl_abc', {
      ...sessionRoutes(who),
      'POST /api/v1/me/chatwoot-identity/inspect': () => json(preview),
      'POST /api/v1/me/chatwoot-identity': linked,
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(hub.calls('POST /api/v1/me/chatwoot-identity/inspect')[0]?.body).toEqual({ code: 'wpl_abc' })
    expect(hub.calls('POST /api/v1/me/chatwoot-identity')).toHaveLength(0)
    expect(wrapper.get('[data-testid="link-chatwoot-state"]').attributes('data-state')).toBe('confirm')
    expect(wrapper.get('[data-testid="link-chatwoot-origin"]').text()).toBe('https://chat.acme.test')
    expect(wrapper.get('[data-testid="link-chatwoot-user"]').text()).toContain('bruno@acme.test')
    expect(wrapper.get('[data-testid="link-chatwoot-accounts"]').text()).toContain('Acme')
    expect(window.location.hash).toBe('')
  })

  it('links only on confirmation with the password', async () => {
    const { wrapper, hub } = await mountApp('/link-chatwoot#code=wpl_abc', {
      ...sessionRoutes(who),
      'POST /api/v1/me/chatwoot-identity/inspect': () => json(preview),
      'POST /api/v1/me/chatwoot-identity': (req) =>
        (req.body as { password: string }).password === 'right-one-123'
          ? linked()
          : envelope(400, 'VALIDATION_ERROR', 'invalid', { details: [{ field: 'password', message: 'does not match; nothing was changed' }] }),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    await wrapper.get('[data-testid="link-chatwoot-password"]').setValue('wrong')
    await wrapper.get('[data-testid="link-chatwoot-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="link-chatwoot-form"]').text()).toContain('nothing was changed')
    await wrapper.get('[data-testid="link-chatwoot-password"]').setValue('right-one-123')
    await wrapper.get('[data-testid="link-chatwoot-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/me/chatwoot-identity').at(-1)?.body).toEqual({ code: 'wpl_abc', password: 'right-one-123' })
    expect(wrapper.get('[data-testid="link-chatwoot-state"]').attributes('data-state')).toBe('linked')
    expect(sessionStorage.length).toBe(0)
  })

  it('says when the Chatwoot login belongs to someone else, and lets the user refuse', async () => {
    const { wrapper, hub } = await mountApp('/link-chatwoot#code=wpl_abc', {
      ...sessionRoutes(who),
      'POST /api/v1/me/chatwoot-identity/inspect': () => json(preview),
      'POST /api/v1/me/chatwoot-identity': () => envelope(409, 'CONFLICT', 'taken'),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    await wrapper.get('[data-testid="link-chatwoot-password"]').setValue('pw')
    await wrapper.get('[data-testid="link-chatwoot-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="link-chatwoot-state"]').text()).toContain('another hub user')
    hub.requests.length = 0
  })

  it('keeps the code out of the login redirect', async () => {
    const { wrapper, hub, router } = await mountApp('/link-chatwoot#code=wpl_def', {
      ...anonymousRoutes(),
      'POST /api/v1/auth/login': () => json(tokenBody('tok-1', who.user)),
      'GET /api/v1/me': () => json(who),
      'POST /api/v1/me/chatwoot-identity/inspect': () => json(preview),
    })
    unmount = () => wrapper.unmount()
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.fullPath).not.toContain('wpl_def')
    expect(router.currentRoute.value.query.redirect).toBe('/link-chatwoot')
    await wrapper.get('[data-testid="login-email"]').setValue('ana@example.com')
    await wrapper.get('[data-testid="login-password"]').setValue('correct horse battery')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('link-chatwoot')
    expect(hub.calls('POST /api/v1/me/chatwoot-identity/inspect')[0]?.body).toEqual({ code: 'wpl_def' })
    for (const r of hub.requests) expect(r.url).not.toContain('wpl_def')
  })

  it('needs a code', async () => {
    const { wrapper, hub } = await mountApp('/link-chatwoot', sessionRoutes(who))
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(hub.calls('POST /api/v1/me/chatwoot-identity/inspect')).toHaveLength(0)
    expect(wrapper.get('[data-testid="link-chatwoot-state"]').attributes('data-state')).toBe('no-code')
  })
})
