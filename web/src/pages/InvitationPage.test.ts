import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, noContent, tokenBody, user } from '@/testing/fakeHub'
import { anonymousRoutes, mountApp, sessionRoutes } from '@/testing/mountApp'
import { useAuthStore } from '@/stores/auth'

const view = (hasLogin: boolean) => ({ account_id: 'A', account_name: 'Acme', email: 'ana@example.com', role: 'agent', has_login: hasLogin, expires_at: '2999-01-01T00:00:00Z' })
const member = me(user(), [membership('A', 'agent')])

describe('InvitationPage', () => {
  let unmount: (() => void) | undefined
  beforeEach(() => sessionStorage.clear())
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('activates a new login with the chosen password and signs in', async () => {
    const { wrapper, hub, router } = await mountApp('/invitation#token=wpa_new', {
      ...anonymousRoutes(),
      'POST /api/v1/invitations/inspect': () => json(view(false)),
      'POST /api/v1/invitations/activate': () => noContent(),
      'POST /api/v1/auth/login': () => json(tokenBody('tok-1', member.user)),
      'GET /api/v1/me': () => json(member),
      'GET /api/v1/accounts/A': () => json({ id: 'A', name: 'Acme', status: 'active', role: 'agent' }),
    }, 'pt-BR')
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(window.location.hash).toBe('')
    expect(wrapper.get('[data-testid="invitation-summary"]').text()).toContain('Acme')
    await wrapper.get('[data-testid="invitation-password"]').setValue('a-long-own-passphrase')
    await wrapper.get('[data-testid="invitation-confirm"]').setValue('a-long-own-passphrase')
    await wrapper.get('[data-testid="invitation-activate"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/invitations/activate')[0]?.body).toEqual({ token: 'wpa_new', password: 'a-long-own-passphrase' })
    expect(hub.calls('POST /api/v1/auth/login')[0]?.body).toMatchObject({ email: 'ana@example.com', password: 'a-long-own-passphrase' })
    expect(router.currentRoute.value.name).toBe('account')
    expect(sessionStorage.length).toBe(0)
  })

  it('has someone with a login sign in first, keeping the token out of the URL', async () => {
    const { wrapper, hub, router } = await mountApp('/invitation#token=wpa_old', {
      ...anonymousRoutes(),
      'POST /api/v1/invitations/inspect': () => json(view(true)),
      'POST /api/v1/auth/login': () => json(tokenBody('tok-1', member.user)),
      'GET /api/v1/me': () => json(member),
      'POST /api/v1/me/invitations/redeem': () => json({ account_id: 'A' }),
      'GET /api/v1/accounts/A': () => json({ id: 'A', name: 'Acme', status: 'active', role: 'agent' }),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    await wrapper.get('[data-testid="invitation-sign-in"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.fullPath).not.toContain('wpa_old')
    await wrapper.get('[data-testid="login-email"]').setValue('ana@example.com')
    await wrapper.get('[data-testid="login-password"]').setValue('correct horse battery')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('invitation')
    await wrapper.get('[data-testid="invitation-accept"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/me/invitations/redeem')[0]?.body).toEqual({ token: 'wpa_old' })
    expect(router.currentRoute.value.name).toBe('account')
    for (const r of hub.requests) expect(r.url).not.toContain('wpa_old')
  })

  it('explains a refused join (an address nobody confirmed)', async () => {
    const { wrapper } = await mountApp('/invitation#token=wpa_x', {
      ...sessionRoutes(member),
      'POST /api/v1/invitations/inspect': () => json(view(true)),
      'POST /api/v1/me/invitations/redeem': () => envelope(409, 'CONFLICT', "this login's e-mail address was never confirmed"),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    await wrapper.get('[data-testid="invitation-accept"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="invitation-error"]').text()).toContain('never confirmed')
  })

  it('says when the link is unknown, used or expired', async () => {
    const { wrapper } = await mountApp('/invitation#token=wpa_gone', {
      ...anonymousRoutes(),
      'POST /api/v1/invitations/inspect': () => envelope(400, 'VALIDATION_ERROR', 'invalid', { details: [{ field: 'token', message: 'is unknown' }] }),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(wrapper.find('[data-testid="invitation-invalid"]').exists()).toBe(true)
  })
})
