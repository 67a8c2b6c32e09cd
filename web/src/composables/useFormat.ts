/** Dates and numbers as the chosen language writes them; missing values as a dash. */
import { useI18n } from 'vue-i18n'

export function useFormat() {
  const { locale } = useI18n()
  function dateTime(value: string | null | undefined): string {
    if (!value) return '—'
    const date = new Date(value)
    if (Number.isNaN(date.getTime())) return value
    return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
  }
  function number(value: number): string {
    return new Intl.NumberFormat(locale.value).format(value)
  }
  return { dateTime, number }
}
