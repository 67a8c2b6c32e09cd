import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { json, routeFetch } from '@/testing/fakeFetch'
import { setupPlugins } from '@/testing/mountApp'
import App from './App.vue'
import { createAppRouter } from './router'
import { useUiStore } from './stores/ui'

async function mountAt(path: string) {
  const { fetch } = routeFetch({
    '/readyz': json({ status: 'ok', checks: { database: 'ok' } }),
    '/api/v1/version': json({ version: 'v0.1.0', commit: 'abc', go: 'go1.26.8' }),
  })
  const { plugins, i18n } = setupPlugins(fetch, 'pt-BR')
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [...plugins, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, i18n }
}

describe('App shell', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
  })

  it('renders the sidebar, header and the status page at /', async () => {
    const { wrapper } = await mountAt('/')
    expect(wrapper.find('[data-testid="app-shell"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="sidebar"]').text()).toContain('WhatPro Hub')
    expect(wrapper.get('[data-testid="nav-status"]').attributes('aria-current')).toBe('page')
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Status')
    expect(wrapper.find('[data-testid="status-overall"]').exists()).toBe(true)
    expect(document.title).toBe('Status · WhatPro Hub')
    wrapper.unmount()
  })

  it('renders the not-found page for unknown routes', async () => {
    const { wrapper } = await mountAt('/nope/deep')
    expect(wrapper.get('[data-testid="not-found"]').text()).toContain('/nope/deep')
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('Página não encontrada')
    wrapper.unmount()
  })

  it('switches the theme from the header toggle', async () => {
    const { wrapper } = await mountAt('/')
    const ui = useUiStore()
    ui.setTheme('light')
    await flushPromises()
    await wrapper.get('[data-testid="theme-toggle"]').trigger('click')
    expect(ui.theme).toBe('dark')
    expect(wrapper.get('[data-testid="theme-toggle"]').attributes('data-theme')).toBe('dark')
    expect(document.body.classList.contains('dark')).toBe(true)
    wrapper.unmount()
  })

  it('stores the language chosen in the switcher', async () => {
    const { wrapper } = await mountAt('/')
    await wrapper.get('[data-testid="locale-switcher"]').setValue('en')
    expect(useUiStore().locale).toBe('en')
    expect(localStorage.getItem('whatpro.locale')).toBe('en')
    wrapper.unmount()
  })
})
