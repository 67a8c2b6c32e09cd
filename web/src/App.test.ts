import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { me, membership, user } from '@/testing/fakeHub'
import { anonymousRoutes, mountApp, sessionRoutes } from '@/testing/mountApp'
import { useAuthStore } from './stores/auth'
import { useUiStore } from './stores/ui'

const admin = me(user(), [membership('A', 'admin')])
let unmount: (() => void) | undefined

describe('App shell', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    unmount?.()
    unmount = undefined
    useAuthStore().dispose()
  })

  it('shows the login page, in Portuguese, when there is no session', async () => {
    const { wrapper, router } = await mountApp('/', anonymousRoutes(), 'pt-BR')
    unmount = () => wrapper.unmount()
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="app-shell"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="sidebar"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Entrar no WhatPro Hub')
    expect(wrapper.get('[data-testid="login-submit"]').text()).toBe('Entrar')
    expect(document.title).toBe('Entrar · WhatPro Hub')
  })

  it('switches the login page to English from the language switcher', async () => {
    const { wrapper } = await mountApp('/', anonymousRoutes(), 'pt-BR')
    unmount = () => wrapper.unmount()
    await wrapper.get('[data-testid="locale-switcher"]').setValue('en')
    await flushPromises()
    expect(useUiStore().locale).toBe('en')
    expect(localStorage.getItem('whatpro.locale')).toBe('en')
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Log in to WhatPro Hub')
  })

  it('renders the sidebar, header and the status page at / with a session', async () => {
    const { wrapper } = await mountApp('/', sessionRoutes(admin), 'pt-BR')
    unmount = () => wrapper.unmount()
    expect(wrapper.get('[data-testid="sidebar"]').text()).toContain('WhatPro Hub')
    expect(wrapper.get('[data-testid="nav-status"]').attributes('aria-current')).toBe('page')
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Status')
    expect(wrapper.find('[data-testid="status-overall"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="sidebar-user"]').text()).toContain('ana@example.com')
    expect(document.title).toBe('Status · WhatPro Hub')
  })

  it('renders the not-found page for unknown routes', async () => {
    const { wrapper } = await mountApp('/nope/deep', sessionRoutes(admin), 'pt-BR')
    unmount = () => wrapper.unmount()
    expect(wrapper.get('[data-testid="not-found"]').text()).toContain('/nope/deep')
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Página não encontrada')
  })

  it('switches the theme from the header toggle', async () => {
    const { wrapper } = await mountApp('/', sessionRoutes(admin))
    unmount = () => wrapper.unmount()
    const ui = useUiStore()
    ui.setTheme('light')
    await flushPromises()
    await wrapper.get('[data-testid="theme-toggle"]').trigger('click')
    expect(ui.theme).toBe('dark')
    expect(wrapper.get('[data-testid="theme-toggle"]').attributes('data-theme')).toBe('dark')
    expect(document.body.classList.contains('dark')).toBe(true)
  })

  it('logs out from the header and lands on the login page without a message', async () => {
    const { wrapper, router, hub } = await mountApp('/accounts/A/users', {
      ...sessionRoutes(admin),
      'GET /api/v1/accounts/A/users': () => new Response(JSON.stringify({ data: [] }), { status: 200 }),
    })
    unmount = () => wrapper.unmount()
    await wrapper.get('[data-testid="logout"]').trigger('click')
    await flushPromises()
    expect(hub.calls('POST /api/v1/auth/logout')[0]?.token).toBe('tok-1')
    expect(router.currentRoute.value.name).toBe('login')
    expect(wrapper.find('[data-testid="login-message"]').exists()).toBe(false)
  })
})
