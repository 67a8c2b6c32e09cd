/** Money and dates of the board, as the chosen language writes them. */

/** Cents of a currency as text: 123456 BRL → "R$ 1.234,56" in pt-BR, "R$1,234.56" in en. */
export function formatMoney(cents: number, currency: string, locale: string, compact = false): string {
  const value = cents / 100
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency || 'BRL',
      ...(compact && Math.abs(value) >= 10_000 ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
    }).format(value)
  } catch {
    return `${currency} ${value.toFixed(2)}`
  }
}

/** What a person types as money ("1.234,56", "1234.56", "R$ 10") in cents, or null. */
export function parseMoney(text: string, locale: string): number | null {
  let s = text.replace(/[^\d.,-]/g, '')
  if (s === '' || s.includes('-')) return null
  const decimal = decimalSeparator(locale)
  const group = decimal === ',' ? '.' : ','
  // A lone separator followed by exactly 1 or 2 digits is the decimal one, whatever the locale.
  const lastSep = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','))
  if (lastSep >= 0 && !s.includes(decimal) && s.length - lastSep - 1 <= 2 && s.split(s[lastSep] as string).length === 2) {
    s = s.slice(0, lastSep).replaceAll(group, '').replaceAll(decimal, '') + '.' + s.slice(lastSep + 1)
  } else {
    s = s.replaceAll(group, '').replace(decimal, '.')
  }
  if (!/^\d+(\.\d{0,2})?$/.test(s)) return null
  const [whole, frac = ''] = s.split('.')
  const cents = Number(whole) * 100 + Number((frac + '00').slice(0, 2))
  return Number.isSafeInteger(cents) ? cents : null
}

/** Cents as an editable amount ("1234,56" in pt-BR). */
export function centsToInput(cents: number, locale: string): string {
  const s = (cents / 100).toFixed(2)
  return decimalSeparator(locale) === ',' ? s.replace('.', ',') : s
}

function decimalSeparator(locale: string): string {
  try {
    return new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.'
  } catch {
    return '.'
  }
}

/** The weighted value of a column, as the hub computes it: value × probability / 100, truncated. */
export function weightedCents(valueCents: number, winProbability: number): number {
  return Math.trunc((valueCents * winProbability) / 100)
}

/** A due date: "12 mai." or with the year when it is not this year. */
export function formatDue(iso: string, locale: string, now = new Date()): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const sameYear = d.getFullYear() === now.getFullYear()
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) }).format(d)
}

export function formatDateTime(iso: string, locale: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

/** How long ago, coarse: "3 d", "5 h", "12 min" in the chosen language. */
export function formatAge(iso: string, locale: string, now = Date.now()): string {
  const ms = now - Date.parse(iso)
  if (!Number.isFinite(ms)) return ''
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'narrow' })
  const min = Math.round(ms / 60_000)
  if (min < 60) return rtf.format(-Math.max(0, min), 'minute')
  const h = Math.round(min / 60)
  if (h < 48) return rtf.format(-h, 'hour')
  return rtf.format(-Math.round(h / 24), 'day')
}

/** The due state of a card: overdue, today, soon (7 days) or later. */
export function dueState(iso: string | null, now = new Date()): 'overdue' | 'today' | 'soon' | 'later' | null {
  if (!iso) return null
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return null
  if (d.getTime() < now.getTime()) return 'overdue'
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate())
  const day = 86_400_000
  if (d.getTime() < start.getTime() + day) return 'today'
  if (d.getTime() < start.getTime() + 7 * day) return 'soon'
  return 'later'
}
