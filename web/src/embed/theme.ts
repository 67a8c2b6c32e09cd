/** Follows Chatwoot's theme the way Chatwoot marks it: a `dark` class on <body>. */
import type { Theme } from './handshake'

export function applyTheme(theme: Theme, doc: Document = document): void {
  doc.body.classList.toggle('dark', theme === 'dark')
  doc.documentElement.style.colorScheme = theme
}
