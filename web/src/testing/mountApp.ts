/** Test helpers: the plugins the app installs, pointed at a fake hub. */
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { api } from '@/api/client'
import { createAppI18n } from '@/i18n'
import type { Locale } from '@/stores/ui'

export function setupPlugins(fetch: typeof globalThis.fetch, locale: Locale = 'en') {
  api.configure({ base: '/', fetch })
  const pinia: Pinia = createPinia()
  setActivePinia(pinia)
  const i18n = createAppI18n(locale)
  return { pinia, i18n, plugins: [pinia, i18n] }
}
