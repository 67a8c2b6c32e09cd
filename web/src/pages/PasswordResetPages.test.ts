import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { json } from '@/testing/fakeFetch'
import { envelope, noContent } from '@/testing/fakeHub'
import { anonymousRoutes, mountApp } from '@/testing/mountApp'
import { useAuthStore } from '@/stores/auth'

describe('forgot and reset password', () => {
  let unmount: (() => void) | undefined
  beforeEach(() => sessionStorage.clear())
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('the login page leads to the forgot-password page', async () => {
    const { wrapper, router } = await mountApp('/login', anonymousRoutes())
    unmount = () => wrapper.unmount()
    await wrapper.get('[data-testid="login-forgot"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('forgot-password')
  })

  it('says the same whatever the address', async () => {
    const { wrapper, hub } = await mountApp('/forgot-password', {
      ...anonymousRoutes(),
      'POST /api/v1/auth/password-reset': () => json({ status: 'accepted' }, 202),
    }, 'pt-BR')
    unmount = () => wrapper.unmount()
    await wrapper.get('[data-testid="forgot-email"]').setValue(' ana@example.com ')
    await wrapper.get('[data-testid="forgot-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/auth/password-reset')[0]?.body).toEqual({ email: 'ana@example.com' })
    expect(wrapper.get('[data-testid="forgot-sent"]').text()).toContain('Se ana@example.com tem acesso a este hub')
  })

  it('explains a hub that does not send mail', async () => {
    const { wrapper } = await mountApp('/forgot-password', {
      ...anonymousRoutes(),
      'POST /api/v1/auth/password-reset': () => envelope(503, 'UNAVAILABLE', 'not set up'),
    })
    unmount = () => wrapper.unmount()
    await wrapper.get('[data-testid="forgot-email"]').setValue('ana@example.com')
    await wrapper.get('[data-testid="forgot-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="forgot-error"]').text()).toContain('does not send email')
  })

  it('sets the new password with the token from the fragment and returns to log in', async () => {
    const { wrapper, hub, router } = await mountApp('/reset-password#token=wpp_tok', {
      ...anonymousRoutes(),
      'POST /api/v1/auth/password-reset/confirm': (req) =>
        (req.body as { password: string }).password.length < 10
          ? envelope(400, 'VALIDATION_ERROR', 'invalid', { details: [{ field: 'password', message: 'passwords need at least 10 characters' }] })
          : noContent(),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    expect(window.location.hash).toBe('')
    await wrapper.get('[data-testid="reset-password"]').setValue('short')
    await wrapper.get('[data-testid="reset-confirm"]').setValue('other')
    await wrapper.get('[data-testid="reset-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="reset-form"]').text()).toContain('not the same')
    expect(hub.calls('POST /api/v1/auth/password-reset/confirm')).toHaveLength(0)
    await wrapper.get('[data-testid="reset-confirm"]').setValue('short')
    await wrapper.get('[data-testid="reset-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="reset-form"]').text()).toContain('at least 10 characters')
    await wrapper.get('[data-testid="reset-password"]').setValue('a-long-new-passphrase')
    await wrapper.get('[data-testid="reset-confirm"]').setValue('a-long-new-passphrase')
    await wrapper.get('[data-testid="reset-form"]').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/auth/password-reset/confirm').at(-1)?.body).toEqual({ token: 'wpp_tok', password: 'a-long-new-passphrase' })
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="login-password-reset"]').exists()).toBe(true)
  })

  it('says when the link is used or expired', async () => {
    const { wrapper } = await mountApp('/reset-password#token=wpp_old', {
      ...anonymousRoutes(),
      'POST /api/v1/auth/password-reset/confirm': () => envelope(400, 'VALIDATION_ERROR', 'invalid', { details: [{ field: 'token', message: 'is unknown' }] }),
    })
    unmount = () => wrapper.unmount()
    await flushPromises()
    await wrapper.get('[data-testid="reset-password"]').setValue('a-long-new-passphrase')
    await wrapper.get('[data-testid="reset-confirm"]').setValue('a-long-new-passphrase')
    await wrapper.get('[data-testid="reset-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="reset-invalid"]').exists()).toBe(true)
  })
})
