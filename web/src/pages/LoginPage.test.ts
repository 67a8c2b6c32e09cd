import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { json } from '@/testing/fakeFetch'
import { envelope, me, membership, tokenBody, user, type HubRequest } from '@/testing/fakeHub'
import { anonymousRoutes, mountApp } from '@/testing/mountApp'
import { useAuthStore } from '@/stores/auth'

const who = me(user(), [membership('A', 'agent')])
let unmount: (() => void) | undefined

async function openLogin(login: (req: HubRequest) => Response, path = '/login') {
  const mounted = await mountApp(path, {
    ...anonymousRoutes(),
    'POST /api/v1/auth/login': login,
    'GET /api/v1/me': () => json(who),
    'GET /api/v1/accounts/A': () => json({ id: 'A', name: 'A', status: 'active', created_at: '', updated_at: '' }),
  })
  unmount = () => mounted.wrapper.unmount()
  return mounted
}

async function submit(wrapper: Awaited<ReturnType<typeof openLogin>>['wrapper'], password = 'correct horse battery') {
  await wrapper.get('[data-testid="login-email"]').setValue(' ana@example.com ')
  await wrapper.get('[data-testid="login-password"]').setValue(password)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('LoginPage', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('logs in with email and password', async () => {
    const { wrapper, router, hub } = await openLogin(() => json(tokenBody('tok-1', who.user)))
    await submit(wrapper)
    expect(hub.calls('POST /api/v1/auth/login')[0]?.body).toEqual({ email: 'ana@example.com', password: 'correct horse battery' })
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A')
  })

  it('says when the email or password is wrong', async () => {
    const { wrapper, router } = await openLogin(() => envelope(401, 'UNAUTHORIZED', 'the email or the password is wrong'))
    await submit(wrapper, 'wrong')
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('The email or the password is wrong.')
    expect(wrapper.find('[data-testid="login-totp"]').exists()).toBe(false)
  })

  it('asks for the second factor and sends it with the password', async () => {
    const { wrapper, router, hub } = await openLogin((req) => {
      const body = req.body as { totp_code?: string }
      if (!body.totp_code) {
        return envelope(401, 'UNAUTHORIZED', 'a second factor is required: send totp_code or recovery_code')
      }
      return body.totp_code === '123456' ? json(tokenBody('tok-1', who.user)) : envelope(401, 'UNAUTHORIZED', 'the code is wrong')
    })
    await submit(wrapper)
    expect(wrapper.find('[data-testid="login-error"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="login-totp"]').exists()).toBe(true)

    await wrapper.get('[data-testid="login-totp"]').setValue('000 000')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('That code is not valid. Try again.')

    await wrapper.get('[data-testid="login-totp"]').setValue('123 456')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/auth/login').at(-1)?.body).toMatchObject({ password: 'correct horse battery', totp_code: '123456' })
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A')
  })

  it('can send a recovery code instead', async () => {
    const { wrapper, hub } = await openLogin((req) =>
      (req.body as { recovery_code?: string }).recovery_code
        ? json(tokenBody('tok-1', who.user))
        : envelope(401, 'UNAUTHORIZED', 'a second factor is required: send totp_code or recovery_code'),
    )
    await submit(wrapper)
    await wrapper.get('[data-testid="login-use-recovery"]').trigger('click')
    await wrapper.get('[data-testid="login-totp"]').setValue('abcd-efgh')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(hub.calls('POST /api/v1/auth/login').at(-1)?.body).toMatchObject({ recovery_code: 'abcd-efgh' })
    expect(hub.calls('POST /api/v1/auth/login').at(-1)?.body).not.toHaveProperty('totp_code')
  })

  it('says how long to wait when rate limited', async () => {
    const { wrapper } = await openLogin(() =>
      envelope(429, 'RATE_LIMITED', 'too many failed logins; try again in 30 seconds', {}, { 'Retry-After': '30' }),
    )
    await submit(wrapper)
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Too many attempts. Try again in 30 s.')
  })

  it('shows field errors from a VALIDATION_ERROR', async () => {
    const { wrapper } = await openLogin(() =>
      envelope(400, 'VALIDATION_ERROR', 'invalid input', { details: [{ field: 'email', message: 'is too long' }] }),
    )
    await submit(wrapper)
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('Fill in your email and password.')
    expect(wrapper.text()).toContain('is too long')
  })

  it('explains that the session ended, in both languages', async () => {
    const { wrapper, i18n } = await openLogin(() => json({}), '/login?reason=session_ended')
    expect(wrapper.get('[data-testid="login-message"]').text()).toBe('Your session has ended. Log in again to continue.')
    i18n.global.locale.value = 'pt-BR'
    await flushPromises()
    expect(wrapper.get('[data-testid="login-message"]').text()).toBe('Sua sessão foi encerrada. Entre de novo para continuar.')
  })

  it('ignores a redirect that leaves the app', async () => {
    const { wrapper, router } = await openLogin(() => json(tokenBody('tok-1', who.user)), '/login?redirect=//evil.example/x')
    await submit(wrapper)
    expect(router.currentRoute.value.fullPath).toBe('/accounts/A')
  })
})
