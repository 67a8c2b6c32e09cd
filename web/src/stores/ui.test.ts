import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LOCALE_STORAGE_KEY, popupLocale, THEME_STORAGE_KEY, useUiStore } from './ui'

/** A matchMedia whose (prefers-color-scheme: dark) answer the test controls. */
function fakeColorScheme(dark: boolean) {
  const listeners = new Set<(e: MediaQueryListEvent) => void>()
  const query = {
    matches: dark,
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_: string, fn: (e: MediaQueryListEvent) => void) => listeners.add(fn),
    removeEventListener: (_: string, fn: (e: MediaQueryListEvent) => void) => listeners.delete(fn),
  }
  vi.stubGlobal('matchMedia', () => query)
  return {
    set(next: boolean) {
      query.matches = next
      for (const fn of listeners) fn({ matches: next } as MediaQueryListEvent)
    },
    listenerCount: () => listeners.size,
  }
}

describe('ui store', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.className = ''
    document.documentElement.removeAttribute('style')
    document.documentElement.lang = ''
    setActivePinia(createPinia())
  })

  afterEach(() => {
    useUiStore().dispose()
  })

  it('defaults to auto theme and pt-BR', () => {
    fakeColorScheme(false)
    const ui = useUiStore()
    ui.init()
    expect(ui.theme).toBe('auto')
    expect(ui.locale).toBe('pt-BR')
    expect(document.documentElement.lang).toBe('pt-BR')
    expect(document.body.classList.contains('dark')).toBe(false)
    expect(document.documentElement.style.colorScheme).toBe('light')
  })

  it('restores saved preferences', () => {
    fakeColorScheme(false)
    localStorage.setItem(THEME_STORAGE_KEY, 'dark')
    localStorage.setItem(LOCALE_STORAGE_KEY, 'en')
    const ui = useUiStore()
    ui.init()
    expect(ui.theme).toBe('dark')
    expect(ui.locale).toBe('en')
    expect(document.body.classList.contains('dark')).toBe(true)
    expect(document.documentElement.lang).toBe('en')
  })

  it('ignores unknown saved values', () => {
    fakeColorScheme(false)
    localStorage.setItem(THEME_STORAGE_KEY, 'sepia')
    localStorage.setItem(LOCALE_STORAGE_KEY, 'fr')
    const ui = useUiStore()
    expect(ui.theme).toBe('auto')
    expect(ui.locale).toBe('pt-BR')
  })

  it("takes the sign-in popup's locale from its opener, only a supported one", () => {
    expect(popupLocale('?popup=1&locale=en')).toBe('en')
    expect(popupLocale('?popup=1&locale=pt-BR')).toBe('pt-BR')
    expect(popupLocale('?popup=1&locale=fr')).toBeNull()
    expect(popupLocale('?popup=1&locale=%3Cscript%3E')).toBeNull()
    expect(popupLocale('?locale=en')).toBeNull() // only the popup
  })

  it('saves the theme and puts the dark class on body', () => {
    fakeColorScheme(false)
    const ui = useUiStore()
    ui.init()
    ui.setTheme('dark')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(document.body.classList.contains('dark')).toBe(true)
    expect(document.documentElement.classList.contains('dark')).toBe(false)
    expect(document.documentElement.style.colorScheme).toBe('dark')
    ui.setTheme('light')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light')
    expect(document.body.classList.contains('dark')).toBe(false)
  })

  it('follows the system colour scheme only while auto', () => {
    const system = fakeColorScheme(true)
    const ui = useUiStore()
    ui.init()
    expect(document.body.classList.contains('dark')).toBe(true)

    system.set(false)
    expect(document.body.classList.contains('dark')).toBe(false)

    ui.setTheme('dark')
    system.set(false)
    expect(document.body.classList.contains('dark')).toBe(true)

    ui.setTheme('auto')
    system.set(true)
    expect(document.body.classList.contains('dark')).toBe(true)
    ui.dispose()
    expect(system.listenerCount()).toBe(0)
  })

  it('cycles light → dark → auto → light', () => {
    fakeColorScheme(false)
    const ui = useUiStore()
    ui.setTheme('light')
    const seen = [1, 2, 3].map(() => {
      ui.cycleTheme()
      return ui.theme
    })
    expect(seen).toEqual(['dark', 'auto', 'light'])
  })

  it('saves the locale and sets the document language', () => {
    fakeColorScheme(false)
    const ui = useUiStore()
    ui.setLocale('en')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en')
    expect(document.documentElement.lang).toBe('en')
    setActivePinia(createPinia())
    expect(useUiStore().locale).toBe('en')
  })

  it('keeps working when storage is blocked', () => {
    fakeColorScheme(false)
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError')
    })
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError')
    })
    const ui = useUiStore()
    expect(ui.theme).toBe('auto')
    expect(() => ui.setTheme('dark')).not.toThrow()
    expect(document.body.classList.contains('dark')).toBe(true)
  })
})
