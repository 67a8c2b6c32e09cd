/**
 * Words for a failed request. Codes whose server message adds nothing for a person (network
 * down, rate limited, forbidden…) get a translated sentence; the rest (CONFLICT, VALIDATION_ERROR…)
 * show the server's message, which says what rule was broken.
 */
import { useI18n } from 'vue-i18n'
import type { ApiError } from '@/api/client'

const TRANSLATED = new Set([
  'NETWORK_ERROR',
  'TIMEOUT',
  'HTTP_ERROR',
  'INVALID_RESPONSE',
  'RATE_LIMITED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INTERNAL',
  'UNAVAILABLE',
  'ACCOUNT_SUSPENDED',
  'FEATURE_DISABLED',
])

export function useErrorText() {
  const { t } = useI18n()
  return (error: ApiError): string => {
    if (error.code === 'RATE_LIMITED' && error.retryAfter !== null) {
      return t('ERRORS.RATE_LIMITED_WAIT', { seconds: error.retryAfter })
    }
    if (TRANSLATED.has(error.code)) return t(`ERRORS.${error.code}`)
    return error.message || t('ERRORS.UNKNOWN')
  }
}

/** The field errors of a VALIDATION_ERROR, by field name. */
export function fieldErrors(error: ApiError | null): Record<string, string> {
  const out: Record<string, string> = {}
  if (error?.code !== 'VALIDATION_ERROR') return out
  for (const detail of error.details) if (detail.field && !out[detail.field]) out[detail.field] = detail.message
  return out
}
