/** The translated sentence for why a number is not connected (NUMBERS.REASONS.*), or '' for none. */
import { useI18n } from 'vue-i18n'

const known = new Set(['logged_out', 'qr_limit', 'refused', 'dropped', 'hub_logout'])

export function useReasonLabel(): (reason: string) => string {
  const { t } = useI18n()
  return (reason) => (known.has(reason) ? t(`NUMBERS.REASONS.${reason.toUpperCase()}`) : '')
}
