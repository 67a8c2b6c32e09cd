/**
 * vue-i18n with locale files precompiled by @intlify/unplugin-vue-i18n (see vite.config.ts):
 * the runtime build has no message compiler, so nothing is evaluated at run time.
 */
import { createI18n } from 'vue-i18n'
import en from './locales/en.json'
import ptBR from './locales/pt-BR.json'
import { DEFAULT_LOCALE, type Locale } from './stores/ui'

export type MessageSchema = typeof ptBR

export function createAppI18n(locale: Locale = DEFAULT_LOCALE) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { 'pt-BR': ptBR, en },
  })
}

export type AppI18n = ReturnType<typeof createAppI18n>
