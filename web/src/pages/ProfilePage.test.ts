import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAuthStore } from '@/stores/auth'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, noContent, user } from '@/testing/fakeHub'
import { mountApp, sessionRoutes } from '@/testing/mountApp'

let unmount: (() => void) | undefined

describe('ProfilePage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('keeps a session that must set up two-factor authentication on the profile until it does', async () => {
    let enabled = false
    const who = () => ({ ...me(user({ super_admin: true, totp_enabled: enabled }), [membership('A', 'admin')]), mfa_pending: !enabled })
    const { wrapper, router, hub } = await mountApp('/accounts/A/users', {
      ...sessionRoutes(who()),
      'GET /api/v1/me': () => json(who()),
      'POST /api/v1/me/totp/setup': () => json({ secret: 'JBSWY3DPEHPK3PXP', otpauth_url: 'otpauth://totp/WhatPro%20Hub:ana?secret=JBSWY3DPEHPK3PXP' }),
      'POST /api/v1/me/totp/enable': (req) => {
        if ((req.body as { code: string }).code !== '123456') {
          return envelope(400, 'VALIDATION_ERROR', 'invalid input', { details: [{ field: 'code', message: 'does not match the authenticator' }] })
        }
        enabled = true
        return json({ enabled: true, recovery_codes: ['AAAAA-BBBBB', 'CCCCC-DDDDD'] })
      },
      'GET /api/v1/accounts/A/users': () => json({ data: [] }),
    })
    unmount = () => wrapper.unmount()
    expect(router.currentRoute.value.name).toBe('profile')
    expect(wrapper.find('[data-testid="mfa-required"]').exists()).toBe(true)

    await wrapper.get('[data-testid="totp-start"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="totp-secret"]').text()).toBe('JBSW Y3DP EHPK 3PXP')
    // The QR code is drawn in the page from the otpauth link: an SVG path, no image request.
    const qr = wrapper.get('[data-testid="totp-qr"]')
    expect(qr.element.tagName.toLowerCase()).toBe('svg')
    expect(qr.get('path').attributes('d')).toMatch(/^M\d+ \d+h1v1h-1z/)

    await wrapper.get('[data-testid="totp-code"]').setValue('000000')
    await wrapper.get('[data-testid="two-factor"] form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="two-factor"]').text()).toContain('That code does not match')

    await wrapper.get('[data-testid="totp-code"]').setValue('123 456')
    await wrapper.get('[data-testid="two-factor"] form').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/me/totp/enable').at(-1)?.body).toEqual({ code: '123456' })
    expect(wrapper.get('[data-testid="recovery-codes"]').text()).toContain('AAAAA-BBBBB')
    expect(wrapper.find('[data-testid="mfa-required"]').exists()).toBe(false)

    await router.push('/accounts/A/users')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A/users')
  })

  it('changes the password and explains the rule when the hub refuses the new one', async () => {
    const { wrapper, router, hub } = await mountApp('/profile', {
      ...sessionRoutes(me(user(), [membership('A', 'agent')])),
      'POST /api/v1/me/password': (req) =>
        (req.body as { new_password: string }).new_password === 'password123'
          ? envelope(400, 'VALIDATION_ERROR', 'invalid input', {
              details: [
                {
                  field: 'new_password',
                  code: 'weak_password',
                  params: { min: 10 },
                  message: 'passwords need at least 10 characters, must not be your email and must not be a common password',
                },
              ],
            })
          : noContent(),
    })
    unmount = () => wrapper.unmount()
    expect(router.currentRoute.value.name).toBe('profile')
    const fill = async (next: string, again = next) => {
      await wrapper.get('[data-testid="password-current"]').setValue('old password 1')
      await wrapper.get('[data-testid="password-new"]').setValue(next)
      await wrapper.get('[data-testid="password-confirm"]').setValue(again)
      await wrapper.get('[data-testid="password-form"]').trigger('submit')
      await flushPromises()
    }
    await fill('a brand new phrase', 'something else')
    expect(wrapper.text()).toContain('The two new passwords differ.')
    expect(hub.calls('POST /api/v1/me/password')).toHaveLength(0)

    await fill('password123')
    expect(wrapper.get('#password-new-error').text()).toBe(
      'Choose another password: at least 10 characters, not your email and not a common password.',
    )

    await fill('a brand new phrase')
    expect(hub.calls('POST /api/v1/me/password').at(-1)?.body).toEqual({ current_password: 'old password 1', new_password: 'a brand new phrase' })
    expect(wrapper.get('[data-testid="password-changed"]').text()).toContain('Your other sessions were ended.')
  })
})
