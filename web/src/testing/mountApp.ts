/** Test helpers: the plugins the app installs, pointed at a fake hub. */
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import { api } from '@/api/client'
import type { Me } from '@/api/me'
import App from '@/App.vue'
import { createAppI18n, followUiLocale } from '@/i18n'
import { createAppRouter } from '@/router'
import { useUiStore, type Locale } from '@/stores/ui'
import { json } from './fakeFetch'
import { envelope, fakeHub, noContent, tokenBody, type HubRoutes } from './fakeHub'

export function setupPlugins(fetch: typeof globalThis.fetch, locale: Locale = 'en') {
  api.configure({ base: '/', fetch })
  const pinia: Pinia = createPinia()
  setActivePinia(pinia)
  const i18n = createAppI18n(locale)
  return { pinia, i18n, plugins: [pinia, i18n] }
}

/** Routes of a hub where the browser holds a session for `me.user` (refresh answers a token). */
export function sessionRoutes(who: Me, token = 'tok-1'): HubRoutes {
  return {
    'POST /api/v1/auth/refresh': () => json(tokenBody(token, who.user)),
    'POST /api/v1/auth/logout': () => noContent(),
    'GET /api/v1/me': () => json(who),
    'GET /api/v1/accounts': () => json({ data: [], pagination: { has_more: false } }),
    'GET /readyz': () => json({ status: 'ok', checks: { database: 'ok' } }),
    'GET /api/v1/version': () => json({ version: 'v0.1.0', commit: 'abc', go: 'go1.26.8' }),
  }
}

/** Routes of a hub where the browser has no session. */
export function anonymousRoutes(): HubRoutes {
  return { 'POST /api/v1/auth/refresh': () => envelope(401, 'UNAUTHORIZED', 'no refresh token; log in') }
}

/** The whole app (router, guards, stores) at `path`, attached to the document. */
export async function mountApp(path: string, routes: HubRoutes, locale: Locale = 'en') {
  const hub = fakeHub(routes)
  const { plugins, i18n, pinia } = setupPlugins(hub.fetch, locale)
  const ui = useUiStore(pinia)
  ui.setLocale(locale)
  followUiLocale(i18n, ui)
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [...plugins, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router, hub, i18n, pinia }
}
