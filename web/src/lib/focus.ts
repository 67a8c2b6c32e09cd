/** Moves the focus to a form field of the page: an empty list's "add one" points at its form. */
export function focusField(id: string): void {
  const el = document.getElementById(id)
  el?.scrollIntoView?.({ block: 'center' })
  el?.focus()
}
