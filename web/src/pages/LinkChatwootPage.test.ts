import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, tokenBody, user } from '@/testing/fakeHub'
import { anonymousRoutes, mountApp, sessionRoutes } from '@/testing/mountApp'
import { useAuthStore } from '@/stores/auth'

const who = me(user(), [membership('A', 'agent')])

describe('LinkChatwootPage', () => {
  let unmount: (() => void) | undefined
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('redeems the code from the fragment and forgets it', async () => {
    const { wrapper, hub } = await mountApp('/link-chatwoot#code=wpl_abc', {
      ...sessionRoutes(who),
      'POST /api/v1/me/chatwoot-identity': () => json({ linked: true, origin: 'https://chat.acme.test', chatwoot_user_id: 2 }),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(hub.calls('POST /api/v1/me/chatwoot-identity')[0]?.body).toEqual({ code: 'wpl_abc' })
    const state = wrapper.get('[data-testid="link-chatwoot-state"]')
    expect(state.attributes('data-state')).toBe('linked')
    expect(state.text()).toContain('https://chat.acme.test')
    expect(window.location.hash).toBe('')
  })

  it('says when the Chatwoot login belongs to someone else', async () => {
    const { wrapper } = await mountApp('/link-chatwoot#code=wpl_abc', {
      ...sessionRoutes(who),
      'POST /api/v1/me/chatwoot-identity': () => envelope(409, 'CONFLICT', 'taken'),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(wrapper.get('[data-testid="link-chatwoot-state"]').text()).toContain('another hub user')
  })

  it('keeps the code through the login page', async () => {
    const { wrapper, hub, router } = await mountApp('/link-chatwoot#code=wpl_def', {
      ...anonymousRoutes(),
      'POST /api/v1/auth/login': () => json(tokenBody('tok-1', who.user)),
      'GET /api/v1/me': () => json(who),
      'POST /api/v1/me/chatwoot-identity': () => json({ linked: true, origin: 'https://chat.acme.test', chatwoot_user_id: 2 }),
    })
    unmount = () => wrapper.unmount()
    expect(router.currentRoute.value.name).toBe('login')
    await wrapper.get('[data-testid="login-email"]').setValue('ana@example.com')
    await wrapper.get('[data-testid="login-password"]').setValue('correct horse battery')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('link-chatwoot')
    expect(hub.calls('POST /api/v1/me/chatwoot-identity')[0]?.body).toEqual({ code: 'wpl_def' })
  })

  it('needs a code', async () => {
    const { wrapper, hub } = await mountApp('/link-chatwoot', sessionRoutes(who))
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(hub.calls('POST /api/v1/me/chatwoot-identity')).toHaveLength(0)
    expect(wrapper.get('[data-testid="link-chatwoot-state"]').attributes('data-state')).toBe('no-code')
  })
})
