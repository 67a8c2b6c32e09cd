/** Interface preferences: colour theme and language, kept in localStorage. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { readStored, writeStored } from '@/lib/storage'

export const THEME_STORAGE_KEY = 'whatpro.theme'
export const LOCALE_STORAGE_KEY = 'whatpro.locale'

export const THEMES = ['light', 'dark', 'auto'] as const
export type Theme = (typeof THEMES)[number]

export const LOCALES = ['pt-BR', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'pt-BR'

const DARK_QUERY = '(prefers-color-scheme: dark)'

function isTheme(value: unknown): value is Theme {
  return THEMES.includes(value as Theme)
}

export function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale)
}

/** ?locale= of the sign-in popup (?popup=1), when it names a supported locale; else null. */
export function popupLocale(search: string = window.location.search): Locale | null {
  const q = new URLSearchParams(search)
  const value = q.get('locale')
  return q.get('popup') === '1' && isLocale(value) ? value : null
}

function systemDarkQuery(): MediaQueryList | null {
  return typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null
}

export const useUiStore = defineStore('ui', () => {
  const storedTheme = readStored(THEME_STORAGE_KEY)
  const storedLocale = readStored(LOCALE_STORAGE_KEY)

  const theme = ref<Theme>(isTheme(storedTheme) ? storedTheme : 'auto')
  // The sign-in popup of an embedded page speaks the opener's language (not saved as a preference).
  const openerLocale = popupLocale()
  const locale = ref<Locale>(openerLocale ?? (isLocale(storedLocale) ? storedLocale : DEFAULT_LOCALE))
  const systemDark = ref(systemDarkQuery()?.matches ?? false)

  const isDark = computed(() => theme.value === 'dark' || (theme.value === 'auto' && systemDark.value))

  // Chatwoot's habit: a `dark` class on <body>, and color-scheme on <html> for native controls.
  function applyTheme(): void {
    document.body.classList.toggle('dark', isDark.value)
    document.documentElement.style.colorScheme = isDark.value ? 'dark' : 'light'
  }

  function setTheme(next: Theme): void {
    theme.value = next
    writeStored(THEME_STORAGE_KEY, next)
    applyTheme()
  }

  /** light → dark → auto → light. */
  function cycleTheme(): void {
    const index = THEMES.indexOf(theme.value)
    setTheme(THEMES[(index + 1) % THEMES.length] ?? 'auto')
  }

  function setLocale(next: Locale): void {
    locale.value = next
    writeStored(LOCALE_STORAGE_KEY, next)
    document.documentElement.lang = next
  }

  let stopWatchingSystem: (() => void) | null = null

  /** Applies the saved preferences and follows the OS colour scheme while the theme is auto. */
  function init(): void {
    applyTheme()
    document.documentElement.lang = locale.value
    const query = systemDarkQuery()
    if (!query || stopWatchingSystem) return
    const onChange = (event: MediaQueryListEvent) => {
      systemDark.value = event.matches
      applyTheme()
    }
    query.addEventListener('change', onChange)
    stopWatchingSystem = () => query.removeEventListener('change', onChange)
  }

  function dispose(): void {
    stopWatchingSystem?.()
    stopWatchingSystem = null
  }

  // The sidebar as a drawer on narrow screens (Chatwoot's sign-in popup, side panels).
  const navOpen = ref(false)
  function setNavOpen(open: boolean): void {
    navOpen.value = open
  }

  return { theme, locale, isDark, navOpen, setNavOpen, setTheme, cycleTheme, setLocale, init, dispose }
})
