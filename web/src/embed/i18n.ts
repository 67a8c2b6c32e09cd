/**
 * The embed pages' i18n: the app's precompiled locale files (vue-i18n runtime only, nothing is
 * evaluated at run time), with their texts under EMBED.
 */
import { createI18n } from 'vue-i18n'
import en from '@/locales/en.json'
import ptBR from '@/locales/pt-BR.json'

export type EmbedLocale = 'pt-BR' | 'en'

export function createEmbedI18n(locale: EmbedLocale) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { 'pt-BR': ptBR, en },
  })
}
