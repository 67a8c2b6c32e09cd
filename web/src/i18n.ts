/**
 * vue-i18n with locale files precompiled by @intlify/unplugin-vue-i18n (see vite.config.ts):
 * the runtime build has no message compiler, so nothing is evaluated at run time.
 */
import { watch } from 'vue'
import { createI18n } from 'vue-i18n'
import en from './locales/en.json'
import ptBR from './locales/pt-BR.json'
import { DEFAULT_LOCALE, type Locale, type useUiStore } from './stores/ui'

export type MessageSchema = typeof ptBR

export function createAppI18n(locale: Locale = DEFAULT_LOCALE) {
  const i18n = createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { 'pt-BR': ptBR, en },
  })
  current = i18n
  return i18n
}

export type AppI18n = ReturnType<typeof createAppI18n>

let current: AppI18n | null = null

/** The app's i18n, for plain functions (field errors) that run outside a component's setup. */
export function appI18n(): AppI18n | null {
  return current
}

/** Keeps the i18n locale on the language chosen in the UI store. */
export function followUiLocale(i18n: AppI18n, ui: ReturnType<typeof useUiStore>): void {
  i18n.global.locale.value = ui.locale
  watch(
    () => ui.locale,
    (locale) => {
      i18n.global.locale.value = locale
    },
  )
}
